#!/bin/sh
# The container's entrypoint: one `ppmp-connector` command as a Kubernetes Job runs it.
# For `run`, exit 1 (done, something rejected: receipts say what) and 75 (another run holds the
# lock) are successes for the Job; anything else fails it. SIGTERM (the Job's deadline, a node
# drain) is passed on, so the run finishes the message in hand and exits 143. For `watch`
# (watch-deployment.yaml) its own status stands: 0 after SIGTERM, 2/65/75 for what a restart
# alone will not fix.
umask 077
/usr/bin/ppmp-connector "$@" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' TERM INT
wait "$pid"
status=$?
# A trapped signal interrupts `wait`; wait again for the connector's own exit status.
while kill -0 "$pid" 2>/dev/null; do
  wait "$pid"
  status=$?
done
if [ "$1" = run ] && { [ "$status" -eq 1 ] || [ "$status" -eq 75 ]; }; then
  exit 0
fi
exit "$status"
