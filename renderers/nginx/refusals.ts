/** nginx's field-level refusals live beside the contract (schemas/capabilities-nginx.ts), where a controller runs them too. */
export { checkNginx, NGINX_RESTRICTIONS, type Refusal } from '../../schemas/capabilities-nginx';
