#!/usr/bin/env bash
# GitHub's Ubuntu runners ship ansible-core through pipx (/opt/pipx_bin), ahead of /usr/bin on PATH and
# without the community.docker collection the playbooks use: `ansible-playbook --syntax-check` and the
# deployment tests would fail on it instead of running. An ansible-playbook without community.docker
# (outside /usr/bin) is taken away, so `pnpm test` finds none and installs Debian's ansible, which has
# it, through sudo like every other tool its tests drive. Debian's own, or one with the collection, stays.
set -euo pipefail

a=$(command -v ansible-playbook || true)
case "$a" in
  "" | /usr/bin/* | /bin/*) exit 0 ;;
esac
dir=$(dirname "$a")
if "$dir/ansible-galaxy" collection list community.docker 2>/dev/null | grep -q '^community\.docker '; then
  exit 0
fi
echo "runner-ansible: $a has no community.docker; removing $dir/ansible* so pnpm test installs Debian's ansible"
sudo rm -f "$dir"/ansible "$dir"/ansible-*
hash -r
if command -v ansible-playbook >/dev/null; then
  echo "runner-ansible: another ansible-playbook is still on PATH: $(command -v ansible-playbook)" >&2
fi
