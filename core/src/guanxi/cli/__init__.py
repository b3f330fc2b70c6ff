"""The ``guanxi`` command line: a thin layer over :class:`guanxi.Workspace`.

Commands load lazily, so ``guanxi --help`` starts without importing the
database layer; pack commands are looked up only when a name is not the
core's. Errors print as one sentence on stderr with the exit status of
DESIGN.md (1 an error, 2 wrong usage, 3 an import kept its good rows);
``--debug`` (anywhere on the line, or ``GUANXI_DEBUG=1``) shows the
traceback instead. Output piped into ``head`` ends quietly, with status 0.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

#: command name -> "module:attribute", imported on first use.
CORE_COMMANDS = {
    "init": "guanxi.cli.setup_commands:init",
    "db": "guanxi.cli.setup_commands:db",
    "plugins": "guanxi.cli.pack_commands:plugins",
    "fields": "guanxi.cli.pack_commands:fields",
    "config": "guanxi.cli.pack_commands:config",
    "import": "guanxi.cli.io_commands:import_",
    "export": "guanxi.cli.io_commands:export",
    "customers": "guanxi.cli.customer_commands:customers",
    "segment": "guanxi.cli.engine_commands:segment",
    "rules": "guanxi.cli.engine_commands:rules",
    "labels": "guanxi.cli.engine_commands:labels",
    "kpi": "guanxi.cli.engine_commands:kpi",
    "run": "guanxi.cli.engine_commands:run",
    "tasks": "guanxi.cli.task_commands:tasks",
    "demo": "guanxi.cli.demo_commands:demo",
    "pack": "guanxi.cli.scaffold_commands:pack",
    "calendar": "guanxi.cli.calendar_commands:calendar",
    "rota": "guanxi.cli.calendar_commands:rota",
    "reports": "guanxi.cli.report_commands:reports",
    "plan": "guanxi.cli.plan_commands:plan",
    "cases": "guanxi.cli.case_commands:cases",
    # the web workspace (guanxi[web]) and who may use it
    "users": "guanxi.cli.access_commands:users",
    "tokens": "guanxi.cli.access_commands:tokens",
    "audit": "guanxi.cli.access_commands:audit",
    "serve": "guanxi.cli.access_commands:serve",
}


class State:
    """What the root options set; opens the workspace on first use."""

    def __init__(self, config: str | None, database: str | None, debug: bool,
                 quiet: bool = False, command_line: str | None = None) -> None:
        self.config_path = config
        self.database = database
        self.debug = debug
        self.quiet = quiet
        #: How a job taken here is named to others that wait for it.
        self.command_line = command_line
        self._config = None
        self._plugins = None
        self._workspace = None

    @property
    def plugins(self):
        """The config's enabled packs, loaded without the database layer."""
        if self._plugins is None:
            from guanxi.config import read_config
            from guanxi.plugins import load_plugins

            self._config = read_config(self.config_path, database=self.database)
            self._plugins = load_plugins(self._config.packs, config=self._config)
        return self._plugins

    @property
    def workspace(self):
        if self._workspace is None:
            from guanxi.workspace import Workspace

            if self._plugins is not None:  # listing the pack commands loaded them
                self._workspace = Workspace.from_parts(self._config, self._plugins)
            else:
                self._workspace = Workspace.open(self.config_path, database=self.database)
            self._workspace.job_command = self.command_line
        return self._workspace

    def explain_locked(self, exc: BaseException):
        """A locked database as one sentence naming who holds it (see storage.locks), else None."""
        if self._workspace is None:
            return None
        try:
            return self._workspace.explain_locked(exc)
        except Exception:  # explaining must not hide the error itself
            return None

    def close(self) -> None:
        if self._workspace is not None:
            self._workspace.close()


pass_state = click.make_pass_decorator(State)


def pass_workspace(func):
    """Decorate a command to receive the opened :class:`guanxi.Workspace` first."""
    import functools

    @functools.wraps(func)
    @pass_state
    def wrapper(state, *args, **kwargs):
        return func(state.workspace, *args, **kwargs)

    return wrapper


class GuanxiGroup(click.Group):
    """Lazy core commands, pack commands, and errors for people."""

    def list_commands(self, ctx):
        return sorted(set(CORE_COMMANDS) | set(self.commands) | set(self._pack_commands(ctx)))

    def get_command(self, ctx, name):
        if name in self.commands:
            return self.commands[name]
        if name in CORE_COMMANDS:
            module, attr = CORE_COMMANDS[name].split(":")
            return getattr(importlib.import_module(module), attr)
        return self._pack_commands(ctx).get(name)

    def _pack_commands(self, ctx) -> dict:
        state = ctx.find_object(State)
        if state is None:
            if ctx.parent is not None:
                return {}
            # Click looks the subcommand up (and --help lists commands) before
            # the group's callback runs: make the State from what is parsed.
            state = State(ctx.params.get("config") or os.environ.get("GUANXI_CONFIG"),
                          ctx.params.get("database"), bool(ctx.params.get("debug")),
                          bool(ctx.params.get("quiet")), ctx.meta.get(COMMAND_LINE))
            if not _packs_enabled(state.config_path):
                return {}  # nothing to add: keep `guanxi --help` fast
            ctx.obj = state
        try:
            contributed = state.plugins.commands()
        except Exception:
            # A broken config or pack must not hide the core's commands;
            # running any job reports the error.
            return {}
        clashing = [n for n in contributed if n in CORE_COMMANDS]
        if clashing:
            from guanxi.errors import PackError

            raise PackError(
                f"pack {contributed[clashing[0]].pack!r} adds a command {clashing[0]!r} "
                "the core already has"
            )
        return {name: record.command for name, record in contributed.items()}

    def parse_args(self, ctx, args):
        # --debug and --quiet are the root's, but people add them at the end
        # (`guanxi kpi --debug`): move them to the front, before any `--`.
        args = list(args)
        ctx.meta[COMMAND_LINE] = " ".join(["guanxi", *args])
        end = args.index("--") if "--" in args else len(args)
        moved = [a for a in args[:end] if a in ANYWHERE_FLAGS]
        args = moved + [a for a in args[:end] if a not in ANYWHERE_FLAGS] + args[end:]
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        from guanxi.errors import GuanxiError

        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            # The reader (`| head -1`) has all it wanted: end quietly, status 0.
            _silence_stdout()
            raise click.exceptions.Exit(0) from None
        except GuanxiError as exc:
            if _debugging(ctx):
                raise
            raise _Failure(str(exc), exc.exit_code) from exc
        except Exception as exc:
            if _debugging(ctx):
                raise
            state = ctx.find_object(State)
            locked = state.explain_locked(exc) if state is not None else None
            if locked is not None:
                raise _Failure(str(locked), locked.exit_code) from exc
            raise _Failure(
                f"unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)", 1
            ) from exc
        finally:
            state = ctx.find_object(State)
            if state is not None:
                state.close()


#: Root flags accepted anywhere on the line.
ANYWHERE_FLAGS = ("--debug", "--quiet", "-q")
#: ctx.meta key: the command line as typed, naming a job to those waiting for it.
COMMAND_LINE = "guanxi.command_line"


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the flush at exit finds no closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (click's test runner)
        pass


def _debugging(ctx) -> bool:
    state = ctx.find_object(State)
    return bool(state is not None and state.debug)


def _packs_enabled(config_path) -> bool:
    from guanxi.config import read_config

    try:
        return bool(read_config(config_path).packs)
    except Exception:  # a bad config is reported by the command that needs it
        return False


class _Failure(click.ClickException):
    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@click.group(cls=GuanxiGroup, context_settings={"help_option_names": ["-h", "--help"]})
# Eager, like --help: `guanxi --config FILE --help` must know FILE's packs to
# list their commands, and click shows help before it reads other options.
@click.option("--config", "config", metavar="FILE", envvar="GUANXI_CONFIG", is_eager=True,
              help="The guanxi.toml to use (default: GUANXI_CONFIG, else ./guanxi.toml).")
@click.option("--database", metavar="URL", is_eager=True,
              help="A database URL overriding the config and GUANXI_DATABASE.")
@click.option("--debug", is_flag=True, envvar="GUANXI_DEBUG",
              help="Show the traceback of an error (anywhere on the line; or GUANXI_DEBUG=1).")
@click.option("--quiet", "-q", is_flag=True,
              help="No progress on the terminal for long work (anywhere on the line).")
@click.version_option(package_name="guanxi", prog_name="guanxi")
@click.pass_context
def cli(ctx, config, database, debug, quiet):
    """guanxi: customers, managers, tasks and the sector packs that explain them."""
    if not isinstance(ctx.obj, State):  # made already if a pack command was looked up
        ctx.obj = State(config, database, debug, quiet, ctx.meta.get(COMMAND_LINE))
    else:
        ctx.obj.debug, ctx.obj.quiet = debug, quiet


def main(argv=None) -> None:
    """The console script: unexpected errors also become one sentence."""
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        cli.main(args=args, prog_name="guanxi", standalone_mode=True)
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(0)
    except Exception as exc:  # anything not already a click exit
        if "--debug" in args or os.environ.get("GUANXI_DEBUG", "") not in ("", "0", "false"):
            raise
        click.echo(
            f"Error: unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)",
            err=True,
        )
        sys.exit(1)
