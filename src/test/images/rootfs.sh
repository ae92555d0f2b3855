#!/bin/sh
# rootfs.sh OUT: the root file systems of the images that supervisor mode must run in besides
# glibc ones (issue "Supervisor mode in any image"), built from this machine's Debian packages:
#   OUT/static   a static busybox only (as busybox:*-musl/static and distroless with busybox)
#   OUT/musl     static busybox, musl's dynamic loader and libc (as Alpine), and /bin/hello-musl,
#                a program linked against musl: a step that runs it shows that the image's own
#                loader and libraries serve the steps
#   OUT/noshell  one static program, /hello, and nothing else (as distroless/static, scratch)
# Needs busybox-static, musl, musl-tools and gcc (with glibc's static libc, libc6-dev).
# InitContainerIT-style tests (AnyImageIT) run the supervisor in them with chroot;
# import-kube-real.sh makes them images for the real-cluster tier.
set -eu
out=${1:?usage: rootfs.sh OUT}
here=$(cd "$(dirname "$0")" && pwd)
for need in /bin/busybox /lib/ld-musl-x86_64.so.1; do
  [ -e "$need" ] || { echo "rootfs.sh: $need is missing (apt-get install busybox-static musl musl-tools)" >&2; exit 3; }
done
command -v musl-gcc >/dev/null || { echo "rootfs.sh: musl-gcc is missing (apt-get install musl-tools)" >&2; exit 3; }
rm -rf "$out/static" "$out/musl" "$out/noshell"

# Every container has /proc, /dev and /tmp; a test's chroot mounts the first two.
skeleton() {
  mkdir -p "$1/bin" "$1/proc" "$1/dev" "$1/tmp" "$1/etc"
  chmod 1777 "$1/tmp"
}

skeleton "$out/static"
cp /bin/busybox "$out/static/bin/busybox"
for applet in sh echo cat ls sleep grep wc env true false; do
  ln -s busybox "$out/static/bin/$applet"
done

skeleton "$out/musl"
cp -a "$out/static/bin/." "$out/musl/bin/"
mkdir -p "$out/musl/lib"
cp -L /lib/ld-musl-x86_64.so.1 "$out/musl/lib/ld-musl-x86_64.so.1"
ln -s ld-musl-x86_64.so.1 "$out/musl/lib/libc.musl-x86_64.so.1"
musl-gcc -O2 -o "$out/musl/bin/hello-musl" "$here/hello.c"

skeleton "$out/noshell"
rmdir "$out/noshell/bin" "$out/noshell/etc"
gcc -O2 -static -o "$out/noshell/hello" "$here/hello.c"
