# shellcheck shell=bash
# The engine the image carries; checked here so a typo stops the build early.
export DIB_AMPHORA_ENGINE=${DIB_AMPHORA_ENGINE:-haproxy}
case "$DIB_AMPHORA_ENGINE" in
    haproxy | nginx) ;;
    *) echo "DIB_AMPHORA_ENGINE must be haproxy or nginx, not '$DIB_AMPHORA_ENGINE'" >&2; return 1 ;;
esac
