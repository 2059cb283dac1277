#!/bin/bash
# threads.sh PID SECONDS: per-thread-name ctx switches and CPU ticks over the window
P=$1; S=$2
snap() { for t in /proc/$P/task/*; do n=$(cat $t/comm 2>/dev/null); cs=$(awk "/ctxt_switches/{s+=\$2} END{print s+0}" $t/status 2>/dev/null); cpu=$(awk "{print \$14+\$15}" $t/stat 2>/dev/null); [ -n "$cpu" ] && echo "$(basename $t) $n|$cs|$cpu"; done; }
snap > /tmp/threads.t0; sleep $S; snap > /tmp/threads.t1
python3 - <<'PY'
import re,collections
def rd(f):
  d={}
  for l in open(f):
    tid,rest=l.rstrip('\n').split(' ',1); n,cs,cpu=rest.rsplit('|',2); d[tid]=(n,int(cs),int(cpu))
  return d
a=rd('/tmp/threads.t0'); b=rd('/tmp/threads.t1')
agg=collections.defaultdict(lambda:[0,0,0])
for t,(n,cs,cpu) in b.items():
  n0=a.get(t,(n,0,0))
  k=re.sub(r'\d+','#',n)
  agg[k][0]+=cs-n0[1]; agg[k][1]+=cpu-n0[2]; agg[k][2]+=1
for k,v in sorted(agg.items(), key=lambda x:-x[1][0]):
  if v[0] or v[1]: print(f"{k:32s} threads {v[2]:3d} ctx {v[0]:8d} cpu {v[1]*10:7d} ms")
PY
