#!/bin/sh
# import-kube-real.sh KUBE_REAL_DIR: builds the test images of rootfs.sh as OCI archives with
# kube-real's mkimage.py and imports them into its containerd, for RealClusterIT's supervisor
# mode in any image (run it with SHEPHERD_E2E_TEST_IMAGES=1):
#   shepherd.dev/test/static:1   shepherd.dev/test/musl:1   shepherd.dev/test/noshell:1
# On kind: build the same archives and `kind load image-archive` each.
set -eu
kube_real=${1:?usage: import-kube-real.sh KUBE_REAL_DIR (../shared/kube-real)}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$here/rootfs.sh" "$work"
for image in static musl noshell; do
  env_path=PATH=/bin
  [ "$image" = noshell ] && env_path=PATH=/
  python3 "$kube_real/node/mkimage.py" --out "$work/$image.tar" --name "shepherd.dev/test/$image:1" \
    --layer "$work/$image" --env "$env_path"
  ctr -n k8s.io images import "$work/$image.tar" >/dev/null
  echo "imported shepherd.dev/test/$image:1"
done
