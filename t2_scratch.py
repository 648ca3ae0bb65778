import json, sys, time
sys.argv=sys.argv
from benchmarks.clinc150 import build_entries
from bot.matching import Matcher, Synonyms, load_embedder
from bot.matching import bars
d=json.load(open('../shared/bench/clinc150/data_full.json'))
syn=Synonyms()
emb = load_embedder(None) if 'sem' in sys.argv else None
ents=build_entries(d['train'],0)
t0=time.time()
b=bars.calibrate(ents, lambda es: Matcher(es, synonyms=syn, embedder=emb))
print(b, time.time()-t0)
