"""The `faqbot` command line: try the bot offline, curate data, run it on Discord.

Exit codes: 0 success, 1 problems found (data, input), 2 usage errors (argparse).
Every failure is one line on stderr (`faqbot COMMAND: what, where, what to do`), never a
traceback: `main` maps known errors to messages (FAQBOT_TRACEBACK=1 shows the traceback).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Coroutine, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from pydantic import ValidationError

from bot import __version__
from bot.community import community_export
from bot.config import Config, ConfigError, check_database_url, load_config
from bot.datadir import entry_path, import_threads, read_entry_file
from bot.files import read_bytes, read_text_file, regular_file_problem, write_atomic
from bot.grammar import plural
from bot.present.terminal import reply_json, reply_text, summary_json
from bot.serialize import summary_to_dict
from bot.service import DataError, FaqService
from bot.store import StoreError
from bot.validate import SNOWFLAKE_MAX
from bot.yamlio import MAX_YAML_BYTES, dump_entries, dump_records, entries_from_yaml, load_data


class CliError(Exception):
    """A problem to print (without a traceback) before exiting 1."""


MAX_BATCH_BYTES = 64 * 1024 * 1024
MAX_QUERY_BYTES = 16 * 1024  # one query line; a member's /ask is far shorter


def snowflake(text: str) -> int:
    """argparse type for --guild: a Discord server id, never 0 (the global scope) or negative."""
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a Discord server id (digits only)") from None
    if not 0 < value <= SNOWFLAKE_MAX:
        raise argparse.ArgumentTypeError(
            f"{text} is not a Discord server id: ids are 1 to {SNOWFLAKE_MAX} "
            "(Copy Server ID in Discord); leave --guild out for the global entries"
        )
    return value


def as_text(raw: str | bytes) -> str:
    """Command-line and stdin text as valid Unicode: undecodable bytes (which Python keeps as
    lone surrogates) become U+FFFD, so the rest of the words still match."""
    data = raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogateescape")
    return data.decode("utf-8", "replace")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="PATH", help="config file (default: config.yaml if present)")
    p.add_argument("--data", metavar="DIR", help="curated data folder (default: data)")
    p.add_argument("--db", metavar="PATH", help="SQLite file or database URL (default: faqbot.db)")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """A usage error in one line (argparse prints the whole usage first)."""
        self.exit(2, f"{self.prog}: {message} (see {self.prog} -h)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="faqbot", description="A Discord FAQ bot that summarises expert answers.")
    parser.add_argument("--version", action="version", version=f"faqbot {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ask", help="show what the bot would reply to a question (offline)")
    p.add_argument("query", nargs="?", help="the member's words")
    p.add_argument("--batch", metavar="FILE", help="one query per line ('-' for stdin)")
    p.add_argument("--guild", type=snowflake, metavar="ID", help="answer as in this Discord server")
    p.add_argument("--json", action="store_true", help="print the stable JSON object")
    p.add_argument("--brief", action="store_true", help="summary only, without the full answers")
    _common(p)

    p = sub.add_parser("check", help="validate config, data and database; exit 1 on problems")
    _common(p)

    p = sub.add_parser("import", help="import Q&A thread text files (or YAML exports)")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument(
        "--guild",
        type=snowflake,
        metavar="ID",
        help="load YAML entries into this server's store instead of data/",
    )
    p.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    _common(p)

    p = sub.add_parser("export", help="write entries as YAML that imports back losslessly")
    p.add_argument("directory", type=Path, metavar="DIR")
    p.add_argument("--guild", type=snowflake, metavar="ID", help="this server's entries (default: global)")
    _common(p)

    p = sub.add_parser("summarize", help="print an entry's automatic summary for review")
    p.add_argument("entry_id", metavar="ID", nargs="?")
    p.add_argument(
        "--write", action="store_true", help="save it into the entry's YAML as the curated summary"
    )
    p.add_argument("--all", action="store_true", help="every entry of the store (global and servers')")
    p.add_argument("--json", action="store_true")
    _common(p)

    p = sub.add_parser("eval", help="regression-test matching with a CSV of query,expected_id")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--guild", type=snowflake, metavar="ID")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--min-accuracy", type=_share, metavar="X", help="exit 1 if in-scope accuracy is below X (0.8 or 80)"
    )
    p.add_argument(
        "--min-oos-recall",
        type=_share,
        metavar="X",
        help="exit 1 if out-of-scope recall is below X (0.9 or 90)",
    )
    _common(p)

    p = sub.add_parser(
        "export-queries",
        help="write the queries members asked as an eval CSV (query,expected_id) to review and keep",
    )
    p.add_argument("file", metavar="FILE", help="a new .csv file, or '-' for stdout")
    p.add_argument("--guild", type=int, metavar="ID", help="this server's queries (default: global)")
    p.add_argument("--limit", type=int, default=1000, metavar="N", help="most-asked first (default 1000)")
    _common(p)

    p = sub.add_parser(
        "calibrate", help="show the answer bars chosen from the store's own entries, and what they give"
    )
    p.add_argument("--guild", type=int, metavar="ID", help="this server's scope (default: global)")
    p.add_argument("--json", action="store_true")
    _common(p)

    p = sub.add_parser("run", help="run the Discord bot (token from DISCORD_TOKEN)")
    _common(p)

    p = sub.add_parser("web", help="serve the public FAQ pages alone, without the Discord bot")
    p.add_argument("--host", metavar="ADDR", help="listen address (default: web.host)")
    p.add_argument("--port", type=int, metavar="N", help="listen port (default: web.port)")
    p.add_argument(
        "--no-sync", action="store_true", help="do not sync data/ into the store (a reader on another host)"
    )
    _common(p)

    p = sub.add_parser("backup", help="copy the SQLite store to PATH while the bot runs")
    p.add_argument("target", type=Path, metavar="PATH")
    _common(p)

    p = sub.add_parser(
        "migrate", help="copy a whole store into an empty one, e.g. SQLite to PostgreSQL (bot stopped)"
    )
    p.add_argument(
        "--from", dest="source", required=True, metavar="URL", help="sqlite:///faqbot.db or a path"
    )
    p.add_argument("--to", dest="target", required=True, metavar="URL", help="postgresql://user@host/db")
    return parser


def load_cli_config(args: argparse.Namespace) -> Config:
    path = args.config
    if path is None and Path("config.yaml").exists():
        path = "config.yaml"
    overrides: dict[str, Any] = {}
    if args.data:
        overrides["data_dir"] = args.data
    if args.db:  # a path (or a URL), validated like database.url: mysql://, a directory refused
        overrides["database"] = {"url": args.db}
    try:
        return load_config(path, overrides, override_names={"database": "--db", "data_dir": "--data"})
    except ConfigError as exc:
        raise CliError(str(exc)) from None


async def open_service(
    config: Config, scope: Sequence[int | None] | None = None, *, bars: bool = False
) -> FaqService:
    """The service for a one-shot command. `scope`: the guilds (None: global) it answers in —
    only the global entries and theirs are loaded (None: every guild's). `bars`: calibrate
    those scopes' answer bars now if not cached; never the others (a store with many
    servers would otherwise wait for every server's calibration)."""
    guilds = None if scope is None else [g for g in scope if g]
    bars_for = scope if bars and scope is not None else ()
    try:
        return await FaqService.open(config, bars_for=bars_for, guilds=guilds)
    except DataError as exc:
        raise CliError(f"data problems (nothing was synced; run faqbot check):\n{exc}") from None
    except StoreError as exc:
        raise CliError(str(exc)) from None


async def cmd_ask(args: argparse.Namespace, out: TextIO) -> int:
    if (args.query is None) == (args.batch is None):
        raise CliError("give a QUERY or --batch FILE (not both)")
    query = as_text(args.query).strip() if args.query is not None else None
    if query == "":
        raise CliError('the query is empty; give the member\'s words, e.g. faqbot ask "botox pores"')
    if query is not None and len(query.encode()) > MAX_QUERY_BYTES:
        raise CliError(f"the query is longer than {MAX_QUERY_BYTES} bytes; shorten it")
    lines = _batch_lines(args.batch) if args.batch is not None else iter(())
    service = await open_service(load_cli_config(args), [args.guild], bars=True)
    try:
        if query is not None:
            reply = await service.ask(query, args.guild, record=False)
            if args.json:
                out.write(json.dumps(reply_json(reply), ensure_ascii=False, indent=2) + "\n")
            else:
                out.write(reply_text(reply, show_answers=not args.brief) + "\n")
            return 0
        for line in lines:
            query = line.strip()
            if not query:
                continue
            reply = await service.ask(query, args.guild, record=False)
            if args.json:
                out.write(json.dumps(reply_json(reply), ensure_ascii=False) + "\n")
            else:
                out.write(reply_text(reply, show_answers=False) + "\n\n")
        return 0
    finally:
        await service.close()


def _batch_lines(name: str) -> Iterator[str]:
    """The lines of --batch (a file, or '-' for stdin), decoded leniently (see `as_text`).

    A file must be a regular one (not a FIFO or /dev/zero) of at most MAX_BATCH_BYTES and is
    checked whole before any query runs; stdin is read a line at a time. Either way a line is
    at most MAX_QUERY_BYTES, so endless input fails early."""
    if name == "-":
        return _checked_lines(iter(lambda: sys.stdin.buffer.readline(MAX_QUERY_BYTES + 1), b""), "stdin")
    data, problem = read_bytes(Path(name), MAX_BATCH_BYTES)
    if problem:
        raise CliError(str(problem))
    assert data is not None
    return iter(list(_checked_lines(iter(data.splitlines()), name)))


def _checked_lines(raws: Iterator[bytes], where: str) -> Iterator[str]:
    for number, raw in enumerate(raws, 1):
        if len(raw.rstrip(b"\r\n")) > MAX_QUERY_BYTES:
            raise CliError(f"{where}: line {number} is longer than {MAX_QUERY_BYTES} bytes; one query a line")
        if b"\x00" in raw:
            raise CliError(f"{where}: line {number} is not text (it contains a NUL byte); one query a line")
        yield as_text(raw)


async def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    problems: list[str] = []
    try:
        config = load_cli_config(args)
    except CliError as exc:
        out.write(f"config: {exc}\n")
        return 1
    loaded = load_data(config.data_dir)
    problems += [str(p) for p in loaded.problems]
    synonyms = Path(config.data_dir) / "synonyms.yaml"
    if synonyms.exists() and not regular_file_problem(synonyms, MAX_YAML_BYTES):  # else listed above
        try:
            from bot.matching import load_synonyms

            load_synonyms(synonyms)
        except Exception as exc:  # the loader's own message names the file (and line, key)
            problems.append(str(exc) if str(exc).startswith(str(synonyms)) else f"{synonyms}: {exc}")
    from bot.store import open_store, redact_url

    try:
        store = await open_store(config.database.url)
        integrity = await store.integrity_check()
        counts = await store.entry_counts()
        await store.close()
        if integrity != "ok":
            problems.append(f"database {redact_url(config.database.url)}: integrity check says {integrity!r}")
    except StoreError as exc:
        problems.append(str(exc))
        counts = {}
    for p in problems:
        out.write(p + "\n")
    if problems:
        out.write(f"{len(problems)} problem(s) found.\n")
        return 1
    token = "set" if config.token() else "not set (needed only for faqbot run)"
    out.write(
        f"ok: {plural(len(loaded.entries), 'entry')} in {config.data_dir}, database "
        f"{redact_url(config.database.url)} reachable ({counts.get('guild', 0)} server entries), "
        f"DISCORD_TOKEN {token}\n"
    )
    return 0


async def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    config = load_cli_config(args)
    yaml_files = [f for f in args.files if f.suffix.lower() in (".yaml", ".yml")]
    threads = [f for f in args.files if f not in yaml_files]
    if args.guild is not None:
        if threads:
            raise CliError("--guild takes YAML exports; import thread text into data/ first")
        return await _import_yaml_to_guild(args, config, yaml_files, out)
    if yaml_files:
        raise CliError(
            "YAML files go straight into data/faq/ (copy them there); "
            "use --guild ID to load an export into a server's store"
        )
    outcome = import_threads(threads, Path(config.data_dir), dry_run=args.dry_run)
    for w in outcome.warnings:
        out.write(f"warning: {w}\n")
    if outcome.problems:
        for p in outcome.problems:
            out.write(f"{p}\n")
        out.write("nothing was written.\n")
        return 1
    for path, entry_id, what in outcome.results:
        verb = f"would be {what}" if args.dry_run and what != "unchanged" else what
        out.write(f"{entry_id}: {verb} ({path})\n")
    return 0


async def _import_yaml_to_guild(
    args: argparse.Namespace, config: Config, files: list[Path], out: TextIO
) -> int:
    entries, problems = [], []
    for f in files:
        text, problem = read_text_file(f, 1024 * 1024)
        if problem:
            problems.append(str(problem))
            continue
        assert text is not None
        loaded = entries_from_yaml(text, str(f))
        problems += map(str, loaded.problems)
        entries += loaded.entries
    ids = [e.id for e in entries]
    problems += [
        f"entry {i!r} appears more than once in the files given" for i in set(ids) if ids.count(i) > 1
    ]
    if problems:
        out.write("\n".join(problems) + "\nnothing was imported.\n")
        return 1
    service = await open_service(config)
    try:
        if not args.dry_run:
            await service.import_entries(args.guild, entries, actor="cli-import")
    finally:
        await service.close()
    out.write(
        f"{plural(len(entries), 'entry')} {'would be ' if args.dry_run else ''}imported "
        f"into server {args.guild}\n"
    )
    return 0


async def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    config = load_cli_config(args)
    folder = args.directory / "faq" if args.guild is None else args.directory
    community_dir = args.directory / "community"
    for parent in (folder, community_dir, *folder.parents):  # before opening the store: fail fast
        if parent.exists() and not parent.is_dir():
            raise CliError(f"{parent} exists and is not a directory; give a folder to export into")
    service = await open_service(config)
    try:
        entries = service.own_entries(args.guild)
        community = community_export(await service.community_records(args.guild))
    finally:
        await service.close()
    for entry in entries:
        write_atomic(folder / f"{entry.id}.yaml", dump_entries([entry]))
    out.write(f"wrote {plural(len(entries), 'entry')} to {folder}\n")
    # Issue 16: posts answered, questions for the experts, what was saved from which message.
    # A folder of their own, so `faqbot import --guild DIR/*.yaml` still sees only entries.
    for guild_id, doc in community.items():
        write_atomic(community_dir / f"{guild_id}.yaml", dump_records(doc))
    if community:
        kinds = ("saved_from_messages", "forum_posts", "expert_questions")
        sizes = {k: sum(len(d[k]) for d in community.values()) for k in kinds}
        out.write(
            f"wrote the activity of {plural(len(community), 'server')} to {community_dir}: "
            f"{plural(sizes['saved_from_messages'], 'save')} from messages, "
            f"{plural(sizes['forum_posts'], 'help-forum post')}, "
            f"{plural(sizes['expert_questions'], 'question')} for the experts\n"
        )
    return 0


async def cmd_summarize_all(args: argparse.Namespace, out: TextIO) -> int:
    """`summarize --all`: every live entry of the store, in one process (one model load)."""
    if args.write:
        raise CliError("--write saves one entry's summary; give an ID instead of --all")
    service = await open_service(load_cli_config(args))
    try:
        stored = [s for s in await service.store.load_all() if not s.deleted]
        stored.sort(key=lambda s: (s.entry.guild_id or 0, s.entry.id))
        started = time.perf_counter()
        rows = [(s.entry, service.summarize(s.entry)) for s in stored]
        elapsed = time.perf_counter() - started
    finally:
        await service.close()
    if args.json:
        doc = {
            "count": len(rows),
            "seconds": round(elapsed, 3),
            "entries": [
                {"id": e.id, "guild_id": e.guild_id, "question": e.question, "summary": summary_json(s)}
                for e, s in rows
            ],
        }
        out.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return 0
    from bot.models import Candidate, MatchResult, Reply

    for e, s in rows:
        where = "global" if e.guild_id is None else f"server {e.guild_id}"
        out.write(f"== {e.id} ({where})\n")
        result = MatchResult(e.question, "answer", 1.0, Candidate(e.id, e.question, 1.0))
        out.write(reply_text(Reply(result, e, s), show_answers=False) + "\n\n")
    out.write(f"{plural(len(rows), 'entry')} summarised in {elapsed:.2f} s\n")
    return 0


async def cmd_summarize(args: argparse.Namespace, out: TextIO) -> int:
    if args.all:
        if args.entry_id:
            raise CliError("give an entry ID or --all, not both")
        return await cmd_summarize_all(args, out)
    if not args.entry_id:
        raise CliError("give an entry ID (faqbot summarize ID) or --all for every entry")
    config = load_cli_config(args)
    path = entry_path(Path(config.data_dir), args.entry_id)
    entry = read_entry_file(path) if path.exists() else None
    if entry is None:
        loaded = load_data(config.data_dir)
        entry = next((e for e in loaded.entries if e.id == args.entry_id), None)
        path = Path(loaded.files.get(args.entry_id, path))
    if entry is None:
        raise CliError(f"no entry {args.entry_id!r} in {config.data_dir} (ids are file names in faq/)")
    from bot.matching import load_embedder

    embedder = (
        load_embedder(config.matching.model_dir, cache_dir=config.embedding_cache_dir())
        if config.matching.semantic != "off"
        else None
    )
    from bot.summary import summarize

    summary = summarize(entry, max_points=config.replies.max_points, embedder=embedder)
    if args.json:
        out.write(json.dumps(summary_json(summary), ensure_ascii=False, indent=2) + "\n")
    else:
        from bot.models import Candidate, MatchResult, Reply

        result = MatchResult(entry.question, "answer", 1.0, Candidate(entry.id, entry.question, 1.0))
        out.write(reply_text(Reply(result, entry, summary), show_answers=False) + "\n")
    if args.write:
        if read_entry_file(path) is None:  # several entries in one file, or not valid alone
            raise CliError(f"{path} does not hold this entry alone; add the summary there by hand")
        curated = entry.with_changes(summary=summary)
        write_atomic(path, dump_entries([curated]))
        data = summary_to_dict(summary)
        out.write(
            f"\nwrote the summary ({len(data['points'])} points) into {path} as curated; "
            "edit it there, it now takes precedence\n"
        )
    return 0


def _share(text: str) -> float:
    """A required share: 0.8 or 80 (percent)."""
    try:
        v = float(text.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; give e.g. 0.8 or 80") from None
    v = v / 100 if v > 1 else v
    if not 0 <= v <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be within 0-1 (or 0-100 %)")
    return v


async def cmd_eval(args: argparse.Namespace, out: TextIO) -> int:
    from bot.evaluate import below, evaluate, load_eval_csv, report_to_dict, report_to_text
    from bot.models import Candidate

    if problem := regular_file_problem(args.file, MAX_BATCH_BYTES):  # not /dev/zero or a FIFO
        raise CliError(str(problem))
    try:
        cases = load_eval_csv(args.file)
    except (OSError, ValueError) as exc:
        raise CliError(str(exc)) from None
    service = await open_service(load_cli_config(args), [args.guild], bars=True)
    try:
        results = [await service.ask(c.query, args.guild, record=False) for c in cases]
        firsts: list[Candidate | None] = []  # threshold-free top-1
        for c in cases:
            ranked = await service.rank_async(c.query, args.guild, 1)
            firsts.append(ranked[0] if ranked else None)
        known = {e.id for e in service.visible_entries(args.guild)}
    finally:
        await service.close()
    by_query = iter(r.result for r in results)
    by_rank = iter(firsts)
    report = evaluate(cases, lambda _q: next(by_query), lambda _q: next(by_rank), known)
    failed = below(report, args.min_accuracy, args.min_oos_recall)
    if args.json:
        data = {**report_to_dict(report), "failed": failed}
        out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(report_to_text(report) + "\n")
    for message in failed:
        sys.stderr.write(f"faqbot eval: {message}\n")
    return 1 if failed else 0


async def cmd_export_queries(args: argparse.Namespace, out: TextIO) -> int:
    """Real queries → a `faqbot eval` CSV: expected_id is the entry the bot answered with
    (or a member picked among the suggestions); empty where nothing answered. A starting
    point for a regression set: review the ids before relying on it."""
    import csv
    import io

    if args.file != "-" and Path(args.file).exists():
        raise CliError(f"{args.file} exists; choose a new file name")
    if args.limit < 1:
        raise CliError("--limit must be at least 1")
    service = await open_service(load_cli_config(args))
    try:
        stats = await service.store.stats(args.guild, limit=args.limit)
    finally:
        await service.close()
    buf = io.StringIO()
    buf.write(
        "# faqbot export-queries: real members' queries, most asked first. expected_id is what the bot\n"
        "# answered with (or a member picked); empty = no answer. Review every row, then: faqbot eval FILE\n"
    )
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["query", "expected_id"])
    for q in stats.top_queries:
        writer.writerow([q.query, q.last_entry_id or ""])
    if args.file == "-":
        out.write(buf.getvalue())
    else:
        try:
            write_atomic(Path(args.file), buf.getvalue())
        except OSError as exc:
            raise CliError(f"cannot write {args.file}: {exc}") from None
        out.write(f"wrote {len(stats.top_queries)} queries to {args.file}; review expected_id before use\n")
    return 0


async def cmd_calibrate(args: argparse.Namespace, out: TextIO) -> int:
    service = await open_service(load_cli_config(args), [args.guild])
    try:
        if args.guild:
            await service.guild_settings(args.guild)  # its overrides, if any
        chosen = await service.calibrate(args.guild, use_cache=False)
        effective = service.thresholds(args.guild)
    finally:
        await service.close()
    data = {
        "scope": args.guild or "global",
        "calibrated": chosen.to_dict(),
        "effective": {"answer": effective.answer, "suggest": effective.suggest, "keyword": effective.keyword},
    }
    if args.json:
        out.write(json.dumps(data, indent=2) + "\n")
        return 0
    c = chosen
    how = "from the store's probes" if c.source == "store" else "the fixed default (too few probes)"
    out.write(
        f"scope: {data['scope']}\n"
        f"calibrated bars ({how}): answer {c.answer:.3f}, suggest {c.suggest:.3f}, keyword {c.keyword:.3f}\n"
        f"probes: {c.in_scope_probes} in-scope (held-out phrasings, questions, answer titles), "
        f"{c.out_of_scope_probes} out-of-scope (left-out entries, generic questions)\n"
        f"expected at the answer bar: answer rate {c.answer_rate:.1%}, precision {c.precision:.1%}, "
        f"accuracy {c.accuracy:.1%}, out-of-scope recall {c.oos_recall:.1%}\n"
        f"in effect (config.yaml and server overrides win): answer {effective.answer:.3f}, "
        f"suggest {effective.suggest:.3f}, keyword {effective.keyword:.3f}\n"
    )
    return 0


async def cmd_backup(args: argparse.Namespace, out: TextIO) -> int:
    config = load_cli_config(args)
    path = config.database.sqlite_path()
    if path is None:
        raise CliError("faqbot backup copies a SQLite store; for PostgreSQL use pg_dump")
    if args.target.exists():
        raise CliError(f"{args.target} exists; choose a new file name")
    from bot.store.sqlite import SQLiteStore

    store = await SQLiteStore.open(path)
    try:
        await store.backup(args.target)
    finally:
        await store.close()
    out.write(f"backed up {store.path} to {args.target}\n")
    return 0


async def cmd_migrate(args: argparse.Namespace, out: TextIO) -> int:
    from bot.store import redact_url
    from bot.store.migrate import migrate_urls

    urls = []
    for option, url in (("--from", args.source), ("--to", args.target)):
        try:
            urls.append(check_database_url(url))
        except ValueError as exc:
            raise CliError(f"{option}: {exc}") from None
    report = await migrate_urls(*urls)
    out.write(f"copied {report}\nfrom {redact_url(args.source)} to {redact_url(args.target)}\n")
    return 0


def cmd_run(args: argparse.Namespace, out: TextIO) -> int:
    config = load_cli_config(args)
    return runner("run")(config)


def runner(name: str) -> Callable[[Config], int]:
    """A front end the core does not import: the Discord bot is the plugin's (`cogs/`), found
    through the package's `faqbot.runners` entry point."""
    from importlib.metadata import entry_points

    found = entry_points(group="faqbot.runners", name=name)
    if not found:
        raise CliError(f"'faqbot {name}' is not installed: reinstall the package (pip install -e .)")
    try:
        loaded: Callable[[Config], int] = next(iter(found)).load()
    except ImportError as exc:
        raise CliError(f"the Discord plugin cannot be loaded: {exc}") from None
    return loaded


async def cmd_web(args: argparse.Namespace, out: TextIO) -> int:
    config = load_cli_config(args)
    web = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    try:
        web_config = config.web.model_validate({**config.web.model_dump(), **web})
        config = config.model_copy(update={"web": web_config})
    except ValidationError as exc:
        raise CliError("; ".join(f"--{e['loc'][0]}: {e['msg']}" for e in exc.errors())) from None
    from bot.logs import setup_logging
    from bot.web.server import serve

    setup_logging(config.logging.level, config.logging.format)
    try:
        # A server: calibrate in the background (a refresh must not wait for every scope's bars).
        service = await FaqService.open(config, sync=not args.no_sync, wait_for_bars=False)
    except DataError as exc:
        raise CliError(f"data problems (nothing was synced; run faqbot check):\n{exc}") from None
    except StoreError as exc:
        raise CliError(str(exc)) from None
    try:
        await serve(service, config)
    except OSError as exc:  # the port is taken, the address is not ours
        raise CliError(f"cannot listen on {config.web.host}:{config.web.port}: {exc.strerror}") from None
    finally:
        await service.close()
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], Coroutine[Any, Any, int]]] = {
    "ask": cmd_ask,
    "check": cmd_check,
    "import": cmd_import,
    "export": cmd_export,
    "summarize": cmd_summarize,
    "eval": cmd_eval,
    "calibrate": cmd_calibrate,
    "export-queries": cmd_export_queries,
    "backup": cmd_backup,
    "migrate": cmd_migrate,
    "web": cmd_web,
}


def error_message(exc: BaseException) -> str | None:
    """A known error as the line to print, or None for a bug (printed with its type)."""
    if isinstance(exc, CliError | ConfigError | StoreError):
        return str(exc)
    if isinstance(exc, DataError):
        return f"data problems (nothing was synced; run faqbot check):\n{exc}"
    if isinstance(exc, OSError) and exc.strerror:
        name = exc.filename if exc.filename is not None else ""
        hint = {
            "NotADirectoryError": "; a path on the way is a file, not a folder",
            "IsADirectoryError": "; give a file, not a folder",
            "PermissionError": "; check the file's permissions",
            "FileNotFoundError": "; check the path",
        }.get(type(exc).__name__, "")
        return f"{name}: {exc.strerror}{hint}" if name else f"{exc.strerror}{hint}"
    if isinstance(exc, UnicodeError):
        return f"text that is not valid UTF-8: {exc}; save files as UTF-8"
    return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = sys.stdout
    try:
        if args.command == "run":
            return cmd_run(args, out)
        return asyncio.run(COMMANDS[args.command](args, out))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if os.environ.get("FAQBOT_TRACEBACK"):
            traceback.print_exc()
        message = error_message(exc)
        if message is None:  # a bug: still one line, with what to send the maintainers
            message = (
                f"unexpected error {type(exc).__name__}: {exc} "
                "(please report it; FAQBOT_TRACEBACK=1 shows the details)"
            )
        sys.stderr.write(f"faqbot {args.command}: {message}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
