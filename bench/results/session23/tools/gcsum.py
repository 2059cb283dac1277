import sys,re
f=sys.argv[1]; t0=float(sys.argv[2]) if len(sys.argv)>2 else 0
pauses=[]; copied={}
for l in open(f):
  m=re.search(r'\[(\d+\.\d+)s\].*GC\((\d+)\) Pause Young.* (\d+\.\d+)ms',l)
  if m and float(m.group(1))>=t0: pauses.append((int(m.group(2)),float(m.group(3))))
  m=re.search(r'GC\((\d+)\)\s+Copied Bytes .*Sum: (\d+)',l)
  if m: copied[int(m.group(1))]=int(m.group(2))
ps=[p for _,p in pauses]; cs=[copied.get(g,0) for g,_ in pauses]
if ps: print(f"{len(ps)} young pauses, mean {sum(ps)/len(ps):.1f} ms, max {max(ps):.1f}, total {sum(ps):.0f} ms; copied mean {sum(cs)/len(cs)/1e6:.1f} MB")
