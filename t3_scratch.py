import json, sys, time
import numpy as np
from benchmarks.clinc150 import build_entries
from benchmarks.banking77 import build_store, read_rows
from bot.matching import Matcher, Synonyms, load_embedder
from bot.matching import bars
from pathlib import Path
syn=Synonyms()
emb = load_embedder(None) if 'sem' in sys.argv else None
d=json.load(open('../shared/bench/clinc150/data_full.json'))
tr=read_rows(Path('../shared/bench/banking77/train.csv'))
build=lambda es: Matcher(es, synonyms=syn, embedder=emb)
def pick(outs, w):
    ins=[o for o in outs if o.probe.expected]
    conf=np.array([o.confidence for o in ins]); ok=np.array([o.correct for o in ins])
    G=bars.GRID
    acc=(ok[None]&(conf[None]>=G[:,None])).mean(1)
    ab=np.array([o.confidence for o in outs if o.probe.kind=='absent']); bk=np.array([o.confidence for o in outs if o.probe.kind=='bank'])
    ra=(ab[None]<G[:,None]).mean(1); rb=(bk[None]<G[:,None]).mean(1)
    sc=(acc+w*ra+(1-w)*rb)/2
    return G[int(np.argmax(sc))]
for name, ents in [('clinc',build_entries(d['train'],s)) for s in (0,1,2)]+[('bank',build_store(tr,s)[0]) for s in (0,1,2)]:
    outs=[]
    for f in bars.plan(ents): outs+=bars.run_fold(f, build)
    print(name, [ (w, pick(outs,w)) for w in (0,0.25,0.5,0.75,1)], bars.choose(outs).answer)
