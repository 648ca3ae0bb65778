import json, sys
import numpy as np
from pathlib import Path
from benchmarks.clinc150 import build_entries, run_queries, matcher_method, at_threshold, oracle, top1
from benchmarks.banking77 import build_store, read_rows
from bot.matching import Matcher, Synonyms, load_embedder, bars
syn=Synonyms()
emb = load_embedder(None, cache_dir='/tmp/match_embcache')
d=json.load(open('../shared/bench/clinc150/data_full.json'))
tr=read_rows(Path('../shared/bench/banking77/train.csv')); te=read_rows(Path('../shared/bench/banking77/test.csv'))
build=lambda es: Matcher(es, synonyms=syn, embedder=emb)
cl_test=[(t,i) for t,i in d['test']]+[(t,None) for t,_ in d['oos_test']]
W=[0.6,0.7,0.8,0.9]
FO=[4,6]
res={}
for name in ('clinc','bank'):
  for s in (0,1,2):
    if name=='clinc':
        e=build_entries(d['train'],s); q=cl_test
    else:
        e,held=build_store(tr,s); q=[(t,None if c in held else c) for t,c in te]
    rt=run_queries(matcher_method(build(e)), q)
    row={'top1':top1(rt),'oracle':oracle(rt)[1]}
    for fo in FO:
        outs=[]
        for f in bars.plan(e, folds=fo): outs+=bars.run_fold(f, build)
        for w in W:
            bars.ABSENT_WEIGHT=w
            b=bars.choose(outs).answer
            a,r=at_threshold(rt,b)
            row[(fo,w)]=(b,a,r,(a+r)/2)
    res[(name,s)]=row
    print(name,s,row,flush=True)
for name in ('clinc','bank'):
    rows=[res[(name,s)] for s in (0,1,2)]
    print(name,'top1',np.mean([r['top1'] for r in rows]),'oracle',np.mean([r['oracle'] for r in rows]))
    for fo in FO:
        for w in W:
            m=np.mean([r[(fo,w)] for r in rows],axis=0)
            print(f"  folds {fo} w {w}: bar {m[0]:.3f} in {m[1]:.3f} oos {m[2]:.3f} bal {m[3]:.3f}")
