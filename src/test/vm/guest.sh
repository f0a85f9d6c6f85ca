# Stage 2 of the test VM: PID 1 after the initramfs's switch_root (see init and kernel-vm.sh), on the
# host's root file system. Mounts the share, runs its job under a reaper (PID 1 must reap the
# orphans, e.g. a killed supervisor's jail), records the job's exit status and powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb
share=/run/share # mounted by the initramfs
unset JNSJAIL_VM_STAGE2 JNSJAIL_VM_CACHED
off() { sync; echo o > /proc/sysrq-trigger; sleep 60; }
hostname jnsjail-vm
ip link set lo up 2>/dev/null
echo "vm: $(uname -sr) up in $(cut -d' ' -f1 /proc/uptime) s; cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
cd "$share"
# Runs the job as its only child and reaps every process that ends up here, until the job ends;
# then whatever the job left behind is killed (and reaped) before the status is written.
perl -e '
  $SIG{INT} = $SIG{TERM} = "IGNORE";
  my $job = fork // die "fork: $!";
  if ($job == 0) { $SIG{INT} = $SIG{TERM} = "DEFAULT"; exec "/bin/sh", "./job" or die "exec: $!"; }
  my $status;
  while ((my $p = wait) > 0) { if ($p == $job) { $status = $?; last; } }
  kill "KILL", -1;
  1 while wait > 0;
  exit($status & 127 ? 128 + ($status & 127) : $status >> 8);
'
echo $? > exit-status
echo "vm: job ended with status $(cat exit-status) at $(cut -d' ' -f1 /proc/uptime) s"
cd /
umount "$share"
off
