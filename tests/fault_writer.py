"""A moderator writing as fast as it can, for the SIGKILL test (tests/system/test_faults.py).

    python -m tests.fault_writer DB GUILD_ID SEED COUNT

Opens `FaqService` on the SQLite file DB (no data/ sync, lexical matching) and performs COUNT
moderator writes in guild GUILD_ID: new entries (`save_entry(create=True)`), extra answers
(`add_answer`) and soft removal/restore (`set_removed`). Before each write it prints

    DO <seq> <op> <entry id> <expected state after the write>

and once the write has returned (the bot would now tell the moderator "saved"):

    ACK <seq>

`state` is `<answers>/<removed 0|1>`. The test kills this process with SIGKILL at a random
moment, reopens the file and checks every ACKed write is there (and the one DO without an ACK
is either wholly there or wholly absent). Entries already in the file (earlier rounds) are
picked up on start, so rounds continue one history.
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile

from bot.config import load_config
from bot.models import Answer, Entry, Provider
from bot.service import FaqService


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def main(db: str, guild: int, seed: int, count: int) -> None:
    rng = random.Random(seed)
    config = load_config(
        None,
        {
            "data_dir": tempfile.gettempdir(),
            "database": {"url": f"sqlite:///{db}"},
            "matching": {"semantic": "off"},
        },
    )
    service = await FaqService.open(config, sync=False)
    try:
        # entry id -> (answers, removed), as the store has it now
        state = {e.id: (len(e.answers), False) for e in service.own_entries(guild)}
        state |= {e.id: (len(e.answers), True) for e in service.removed_entries(guild)}
        say(f"READY {len(state)}")
        for seq in range(count):
            live = [i for i, (_, removed) in state.items() if not removed]
            roll = rng.random()
            if not state or roll < 0.4:
                entry_id = f"s{seed}-e{seq}"
                n = rng.randint(1, 3)
                answers = tuple(
                    Answer(f"answer {k}", f"Answer {k} to question {seq}: " + "text " * rng.randint(5, 200),
                           Provider(name=f"Dr Expert{k}"))
                    for k in range(n)
                )  # fmt: skip
                entry = Entry(entry_id, f"Question number {seq} from seed {seed}?", answers, guild_id=guild)
                say(f"DO {seq} add {entry_id} {n}/0")
                await service.save_entry(entry, actor="mod", action="add", create=True)
                state[entry_id] = (n, False)
            elif live and roll < 0.8:
                entry_id = rng.choice(sorted(live))
                n = state[entry_id][0] + 1
                say(f"DO {seq} answer {entry_id} {n}/0")
                answer = Answer("more", f"Another answer, number {n}. " * rng.randint(1, 50))
                await service.add_answer(guild, entry_id, answer, actor="mod")
                state[entry_id] = (n, False)
            else:
                entry_id = rng.choice(sorted(state))
                n, removed = state[entry_id]
                say(f"DO {seq} {'restore' if removed else 'remove'} {entry_id} {n}/{int(not removed)}")
                await service.set_removed(guild, entry_id, not removed, actor="mod")
                state[entry_id] = (n, not removed)
            say(f"ACK {seq}")
        say("DONE")
    finally:
        await service.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
