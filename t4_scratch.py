import json, sys, pickle
import numpy as np
from benchmarks.clinc150 import build_entries, run_queries, matcher_method, at_threshold
from benchmarks.banking77 import build_store, read_rows
from bot.matching import Matcher, Synonyms, load_embedder
from pathlib import Path
syn=Synonyms()
emb = load_embedder(None, cache_dir='/tmp/match_embcache') if 'sem' in sys.argv else None
d=json.load(open('../shared/bench/clinc150/data_full.json'))
tr=read_rows(Path('../shared/bench/banking77/train.csv')); te=read_rows(Path('../shared/bench/banking77/test.csv'))
build=lambda es: Matcher(es, synonyms=syn, embedder=emb)
cl_test=[(t,i) for t,i in d['test']]+[(t,None) for t,_ in d['oos_test']]
out={}
for s in (0,):
    e=build_entries(d['train'],s); rt=run_queries(matcher_method(build(e)), cl_test); out[('clinc',s)]=rt
    e,held=build_store(tr,s); rt2=run_queries(matcher_method(build(e)), [(t,None if c in held else c) for t,c in te]); out[('bank',s)]=rt2
pickle.dump(out, open('/tmp/match_testres_%s.pkl'%('sem' if emb else 'lex'),'wb'))
for k,rt in out.items():
    print(k, ' '.join(f"{b}:{100*sum(at_threshold(rt,b))/2:.1f}" for b in [0.03,0.05,0.07,0.1,0.15,0.2,0.25,0.3,0.4,0.5,0.6,0.7,0.8,0.9]))
