"""The `faqbot` command line: try the bot offline, curate data, run it on Discord.

Exit codes: 0 success, 1 problems found (data, input), 2 usage errors (argparse).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TextIO

from bot import __version__
from bot.config import Config, ConfigError, load_config
from bot.datadir import entry_path, import_threads, read_entry_file
from bot.grammar import plural
from bot.render import reply_json, reply_text, summary_json
from bot.serialize import summary_to_dict
from bot.service import DataError, FaqService
from bot.store import StoreError
from bot.yamlio import dump_entries, entries_from_yaml, load_data, read_text_file, write_atomic


class CliError(Exception):
    """A problem to print (without a traceback) before exiting 1."""


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="PATH", help="config file (default: config.yaml if present)")
    p.add_argument("--data", metavar="DIR", help="curated data folder (default: data)")
    p.add_argument("--db", metavar="PATH", help="SQLite database file (default: faqbot.db)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="faqbot", description="A Discord FAQ bot that summarises expert answers."
    )
    parser.add_argument("--version", action="version", version=f"faqbot {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ask", help="show what the bot would reply to a question (offline)")
    p.add_argument("query", nargs="?", help="the member's words")
    p.add_argument("--batch", metavar="FILE", help="one query per line ('-' for stdin)")
    p.add_argument("--guild", type=int, metavar="ID", help="answer as in this Discord server")
    p.add_argument("--json", action="store_true", help="print the stable JSON object")
    p.add_argument("--brief", action="store_true", help="summary only, without the full answers")
    _common(p)

    p = sub.add_parser("check", help="validate config, data and database; exit 1 on problems")
    _common(p)

    p = sub.add_parser("import", help="import Q&A thread text files (or YAML exports)")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument(
        "--guild", type=int, metavar="ID", help="load YAML entries into this server's store instead of data/"
    )
    p.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    _common(p)

    p = sub.add_parser("export", help="write entries as YAML that imports back losslessly")
    p.add_argument("directory", type=Path, metavar="DIR")
    p.add_argument("--guild", type=int, metavar="ID", help="this server's entries (default: global)")
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
    p.add_argument("--guild", type=int, metavar="ID")
    p.add_argument("--json", action="store_true")
    _common(p)

    p = sub.add_parser("run", help="run the Discord bot (token from DISCORD_TOKEN)")
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
    try:
        config = load_config(path, overrides)
    except ConfigError as exc:
        raise CliError(str(exc)) from None
    if args.db:
        config = config.model_copy(
            update={"database": config.database.model_copy(update={"url": f"sqlite:///{args.db}"})}
        )
    return config


async def open_service(config: Config) -> FaqService:
    try:
        return await FaqService.open(config)
    except DataError as exc:
        raise CliError(f"data problems (nothing was synced; run faqbot check):\n{exc}") from None
    except StoreError as exc:
        raise CliError(str(exc)) from None


async def cmd_ask(args: argparse.Namespace, out: TextIO) -> int:
    if (args.query is None) == (args.batch is None):
        raise CliError("give a QUERY or --batch FILE (not both)")
    service = await open_service(load_cli_config(args))
    try:
        if args.query is not None:
            reply = await service.ask(args.query, args.guild, record=False)
            if args.json:
                out.write(json.dumps(reply_json(reply), ensure_ascii=False, indent=2) + "\n")
            else:
                out.write(reply_text(reply, show_answers=not args.brief) + "\n")
            return 0
        source = sys.stdin if args.batch == "-" else _open_text(Path(args.batch))
        for line in source:
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


def _open_text(path: Path) -> TextIO:
    try:
        return path.open(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"{path}: cannot be read: {exc.strerror}") from None


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
    if synonyms.exists():
        try:
            from bot.matching import load_synonyms

            load_synonyms(synonyms)
        except Exception as exc:  # the loader's own message names file and entry
            problems.append(f"{synonyms}: {exc}")
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
    service = await open_service(load_cli_config(args))
    try:
        entries = service.own_entries(args.guild)
    finally:
        await service.close()
    folder = args.directory / "faq" if args.guild is None else args.directory
    for entry in entries:
        write_atomic(folder / f"{entry.id}.yaml", dump_entries([entry]))
    out.write(f"wrote {plural(len(entries), 'entry')} to {folder}\n")
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
    from bot.models import Candidate, MatchResult
    from bot.service import Reply

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
        from bot.models import Candidate, MatchResult
        from bot.service import Reply

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


async def cmd_eval(args: argparse.Namespace, out: TextIO) -> int:
    from bot.evaluate import evaluate, load_eval_csv, report_to_dict, report_to_text

    try:
        cases = load_eval_csv(args.file)
    except (OSError, ValueError) as exc:
        raise CliError(str(exc)) from None
    service = await open_service(load_cli_config(args))
    try:
        results = [await service.ask(c.query, args.guild, record=False) for c in cases]
    finally:
        await service.close()
    by_query = iter(r.result for r in results)
    report = evaluate(cases, lambda _q: next(by_query))
    if args.json:
        out.write(json.dumps(report_to_dict(report), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(report_to_text(report) + "\n")
    return 0


async def cmd_backup(args: argparse.Namespace, out: TextIO) -> int:
    config = load_cli_config(args)
    if not config.database.url.startswith("sqlite"):
        raise CliError("faqbot backup copies a SQLite store; for PostgreSQL use pg_dump")
    if args.target.exists():
        raise CliError(f"{args.target} exists; choose a new file name")
    from bot.store.sqlite import SQLiteStore

    store = await SQLiteStore.open(config.database.url.removeprefix("sqlite:///"))
    try:
        await store.backup(args.target)
    finally:
        await store.close()
    out.write(f"backed up {store.path} to {args.target}\n")
    return 0


async def cmd_migrate(args: argparse.Namespace, out: TextIO) -> int:
    from bot.store import redact_url
    from bot.store.migrate import migrate_urls

    try:
        report = await migrate_urls(args.source, args.target)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    out.write(f"copied {report}\nfrom {redact_url(args.source)} to {redact_url(args.target)}\n")
    return 0


def cmd_run(args: argparse.Namespace, out: TextIO) -> int:
    config = load_cli_config(args)
    try:
        from cogs.standalone import run
    except ImportError as exc:
        raise CliError(f"the Discord plugin cannot be loaded: {exc}") from None
    return run(config)


COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], Coroutine[Any, Any, int]]] = {
    "ask": cmd_ask,
    "check": cmd_check,
    "import": cmd_import,
    "export": cmd_export,
    "summarize": cmd_summarize,
    "eval": cmd_eval,
    "backup": cmd_backup,
    "migrate": cmd_migrate,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = sys.stdout
    try:
        if args.command == "run":
            return cmd_run(args, out)
        return asyncio.run(COMMANDS[args.command](args, out))
    except CliError as exc:
        sys.stderr.write(f"faqbot {args.command}: {exc}\n")
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
