#!/bin/sh
# Runs one app of the image: run-app api | projector | scheduler | sender | smsc-simulator | standalone
set -eu
app="${1:-api}"
case "$app" in
  api | projector | scheduler | sender | smsc-simulator | standalone) ;;
  *)
    echo "unknown app '$app': use api, projector, scheduler, sender, smsc-simulator or standalone" >&2
    exit 64
    ;;
esac
exec node "dist/apps/$app/main.js"
