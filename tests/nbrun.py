#!/usr/bin/python3
"""Runs the pack's notebooks in a real Jupyter kernel with nbclient (Debian's python3-nbclient).

  nbrun.py execute KERNEL IN.ipynb OUT.ipynb [--timeout S]
      Runs every cell of IN on kernelspec KERNEL and writes the executed copy to OUT.
      Exit 0 when no cell produced an error output (1 otherwise, with the errors on stderr).

  nbrun.py execute-all KERNEL OUTDIR [--small] [--prestart | --ready-first] [--timeout S] IN.ipynb...
      Runs each notebook in one process, each on a fresh kernel, and writes OUTDIR/NAME (the executed copy) and
      OUTDIR/NAME.log (its errors; first line "nbrun: NAME on KERNEL: S s, N error output(s)"). Exit 0 when no cell
      of any notebook failed. --small sets SIZE (lib/nbio.jsh, lib/kernel.jsh) to 7 MiB right after it is loaded: the run then shows
      that every cell runs on this kernel, not the full-size numbers, and its JVM runs with SMALL_RUN_JVM_OPTIONS. --prestart starts the next notebook's kernel
      while one runs, and runs every kernel's JVM with SMALL_RUN_JVM_OPTIONS too: both only where no CPU share or time is judged.
      --ready-first (for runs whose CPU shares and times are judged) starts every notebook's kernel at once and runs the
      first cell only once all have answered: no kernel then starts while a notebook runs, and each notebook finds its
      kernel waiting (a waiting IJava kernel used about 1% of a core, 0.1 CPU-s in 10 s), so a run waits for no kernel
      start between notebooks. --lean runs every kernel's JVM with SMALL_RUN_JVM_OPTIONS.

  nbrun.py regenerate [--kernel KERNEL] [--timeout S] NOTEBOOK...
      Runs each notebook and, only if no cell failed, writes its fresh outputs back in place,
      with the hash of its code cells (and of the files they %load) in metadata.nbio.code_sha256 (the staleness test
      compares it with the cells' code) and the kernelspec left as "java".

  nbrun.py hash NOTEBOOK...   prints the code hash of each notebook.

Every command starts its kernels the same way (started_kernel: a failed start is seen in seconds and retried) and,
stopped by SIGTERM, SIGINT or SIGHUP, shuts down the kernels it started before it exits.

The kernelspecs come from JUPYTER_PATH (tests/setup-notebooks installs nbio-ijava and
nbio-rapaio into tests/target/jupyter; notebooks/regenerate sets JUPYTER_PATH to it).
"""
import asyncio
import hashlib
import os
import queue
import re
import signal
import sys
import tempfile
import time

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

CELL_END = "\n//--cell--\n"
KERNELSPEC = {"name": "java", "display_name": "Java", "language": "java"}


LOAD = re.compile(r"^%load (\S+)\s*$", re.MULTILINE)


def code_hash(nb, folder):
    """sha256 of every code cell's source, each followed by CELL_END, and after a cell the text of every file it
    loads with `%load FILE` (relative to the notebook's folder), also followed by CELL_END. A change to a loaded
    file makes the outputs stale like a change to a cell. NotebooksTest computes the same."""
    digest = hashlib.sha256()
    for cell in nb.cells:
        if cell.cell_type == "code":
            digest.update((cell.source + CELL_END).encode("utf-8"))
            for name in LOAD.findall(cell.source):
                with open(os.path.join(folder, name), encoding="utf-8") as loaded:
                    digest.update((loaded.read() + CELL_END).encode("utf-8"))
    return digest.hexdigest()


def errors_of(nb):
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                trace = "\n".join(output.get("traceback", []))
                found.append(f"cell {index}: {output.get('ename')}: {output.get('evalue')}\n{trace}")
            elif output.get("output_type") == "stream" and output.get("name") == "stderr":
                found.append(f"cell {index} wrote to stderr:\n{output.get('text')}")
    return found


def coalesce_streams(nb):
    """Kernels send printed text in many small messages; join neighbours so each cell shows one block."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        merged = []
        for output in cell.get("outputs", []):
            if (output.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream"
                    and merged[-1].get("name") == output.get("name")):
                merged[-1]["text"] += output["text"]
            else:
                merged.append(output)
        cell["outputs"] = merged


def startup_policy(kernel):
    """(seconds to wait for a started kernel to answer, attempts) for a kernelspec.

    rapaio-jupyter-kernel (2.3.0 and 3.0.1) fails to start now and then, about one start in
    three on a busy machine: it binds its sockets before it installs its message handlers, so a
    request that arrives in between kills its shell thread (a NullPointerException), and at
    other times its shell socket is never read: its LoopThread.start starts the polling thread
    and only then sets the flag the loop runs while, so a thread that checks first ends at once.
    /proc cannot tell which thread ended (the shell's and the control's are both named Shell-N,
    and a kernel without its control or heartbeat thread still runs cells), so such a start is
    seen as DEAF_AFTER seconds of silence. Either way it never answers; a fresh
    start almost always does. started_kernel asks nothing before the sockets are bound, which
    leaves few such starts (none in ten here, against four in ten before); those that remain get
    short waits and many attempts. Other kernels get one long wait and a couple of retries."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager
        argv = KernelSpecManager().get_kernel_spec(kernel).argv
        if any("rapaio" in part for part in argv):
            return 15, 8
    except Exception:
        pass
    return 60, 3


SMALL = "{ SIZE = 7 * 1024 * 1024; }"   # a block is a statement: the kernel displays no value for it
NBIO_LOAD = re.compile(r"^%load lib/(nbio|kernel)\.jsh\s*$", re.MULTILINE)


def shrink(nb):
    """Sets SIZE (defined in lib/nbio.jsh, and in lib/kernel.jsh for kernel-view's steps) to 7 MiB in a cell right
    after the one that loads it."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and NBIO_LOAD.search(cell.source):
            nb.cells.insert(index + 1, nbformat.v4.new_code_cell(SMALL))
            break
    return nb


# rapaio 3.0.1 binds its five sockets, each logged "[NameChannel]: Binding ...", and only then installs the handlers
# its shell thread looks requests up in (Channels.connect): a request that arrives before that kills the shell thread
# (a NullPointerException), or is dropped while the map is being filled. A request sent before the sockets are bound
# is queued by ZeroMQ and delivered the moment they are. So the runner asks nothing until the log shows all five bound
# and the JVM's main thread has gone to sleep (after connect it waits for the channels' threads to end; before, it
# sleeps only for a safepoint, milliseconds): asleep at QUIET_LOOKS looks in a row, 0.2 s apart. A healthy kernel then
# handles the kernel_info request sent every second within about a second; a deaf one never does: 5 s is five
# requests, with room for a busy machine.
RAPAIO_CHANNELS = ("IOPubChannel", "ControlChannel", "ShellChannel", "HeartbeatChannel", "StdinChannel")
DEAF_AFTER = 5
QUIET_LOOKS = 2


def all_bound(log):
    return all(f"[{channel}]: Binding" in log for channel in RAPAIO_CHANNELS)


def main_thread_asleep(pid):
    """Whether the JVM's main thread (the task named java other than the launcher's, which is the process itself)
    is asleep in the kernel (state S)."""
    try:
        tasks = sorted(int(tid) for tid in os.listdir(f"/proc/{pid}/task"))
        for tid in tasks:
            if tid == pid:
                continue
            with open(f"/proc/{pid}/task/{tid}/stat") as stat:
                name, rest = stat.read().split("(", 1)[1].rsplit(") ", 1)
            if name == "java":
                return rest.split()[0] == "S"
    except (OSError, ValueError):
        pass
    return False


# A small run shows that every cell runs; it judges no number. Most of a kernel's CPU there is javac compiling each
# cell, and C2 recompiling javac's hot methods only adds to it: a kernel on C1 alone and the serial collector
# (fewer threads) runs the same cells for about half the CPU. So do the full-size runs whose claims are bytes, counts
# and orders (--prestart: nothing in them is timed); a JIT changes how fast a cell runs, not what it counts. The timed
# full-size runs too (--lean): their claims are CPU shares and times of socket loops whose every round is a system
# call (a write that returns 0, a select), as costly on C1; 04, 05, 06a and 07 took 43 CPU-s on C1 against 77-82 on C2.
SMALL_RUN_JVM_OPTIONS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]

# rapaio 3.0.1's LoopThread.start (see startup_policy) lost its race in a third to a half of the starts on a busy machine
# (5 of 17 starts in one small run), each a whole kernel JVM start (~1.9 CPU-s, 5 s or more) thrown away. In a lean
# run the kernel's JVM finds tests/rapaio/.../LoopThread.java (the same class with the flag set before its thread
# starts; tests/setup-notebooks compiles it here) ahead of the kernel's jar: 10 starts in 10 then had all three loops.
# Every cell still runs on rapaio's own code; notebooks/regenerate's runs do not get it.
RAPAIO_LOOP_FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "target", "rapaio-loop-thread")


async def started_kernel(kernel, cwd, stderr_path, lean=False):
    """A fresh kernel that has answered kernel_info, and its client.

    A rapaio kernel is asked nothing until it is ready (see RAPAIO_CHANNELS). A start that
    fails (see startup_policy) is seen within a second when the kernel dies or writes an exception to its stderr
    (rapaio's shell thread dies with a NullPointerException), within DEAF_AFTER seconds when rapaio's shell socket
    handles nothing, and after the startup wait otherwise; then the kernel is started again. lean (a run that judges
    no CPU share or time): the kernel's JVM gets SMALL_RUN_JVM_OPTIONS."""
    startup_timeout, attempts = startup_policy(kernel)
    for attempt in range(1, attempts + 1):
        km = AsyncKernelManager(kernel_name=kernel)
        rapaio = any("rapaio" in part for part in km.kernel_spec.argv)
        if lean and os.path.basename(km.kernel_spec.argv[0]) == "java":
            km.kernel_spec.argv[1:1] = SMALL_RUN_JVM_OPTIONS
            if rapaio and os.path.isfile(os.path.join(RAPAIO_LOOP_FIX, "org/rapaio/jupyter/kernel/channels/LoopThread.class")):
                km.kernel_spec.argv[1:1] = ["-Xbootclasspath/a:" + RAPAIO_LOOP_FIX]
        LIVE.add(km)
        with open(stderr_path, "wb") as stderr:   # each attempt's own
            await km.start_kernel(cwd=cwd, stderr=stderr)
        kc = km.client()
        kc.start_channels()
        deadline = time.monotonic() + startup_timeout + 5 * (attempt - 1)
        failure, bound_at, asked_at, quiet = None, None, None, 0
        while failure is None:
            with open(stderr_path, encoding="utf-8", errors="replace") as said:
                log = said.read()
            if rapaio and all_bound(log):
                quiet = quiet + 1 if main_thread_asleep(km.provisioner.process.pid) else 0
            if bound_at is None and (quiet >= QUIET_LOOKS or not rapaio):
                bound_at = time.monotonic()
            if bound_at is not None and (asked_at is None or time.monotonic() - asked_at >= 1):
                kc.kernel_info()
                asked_at = time.monotonic()
            try:
                reply = await kc.shell_channel.get_msg(timeout=0.2)
                if reply["msg_type"] == "kernel_info_reply":
                    kc.allow_stdin = False
                    return km, kc
            except queue.Empty:
                pass
            thrown = re.search(r".*Exception.*", log)
            if not await km.is_alive():
                failure = "it died"
            elif thrown:
                failure = "it threw " + thrown.group(0).strip()
            elif rapaio and bound_at is not None and time.monotonic() - bound_at > DEAF_AFTER:
                failure = f"its shell has handled no request in the {DEAF_AFTER} s since it was first asked"
            elif time.monotonic() > deadline:
                failure = f"no answer in {startup_timeout + 5 * (attempt - 1)} s"
        kc.stop_channels()
        await shut_down(km)
        os.replace(stderr_path, f"{stderr_path}.failed-{attempt}")
        if attempt == attempts:
            raise RuntimeError(f"{kernel} did not start in {attempts} attempts (last: {failure})")
        print(f"nbrun: {kernel} did not start ({failure}); starting it again", file=sys.stderr)


LIVE = set()   # the kernels started and not yet shut down: a stopped run shuts them down (they run in sessions of their own)


async def shut_down(km):
    LIVE.discard(km)
    await km.shutdown_kernel(now=True)


async def run_each(kernel, paths, timeout, small, prestart, stderr_dir, done, ready_first=False, lean=False):
    """Runs each notebook on a fresh kernel of its own, one after the other, and calls done(path, nb, seconds, errors)
    for each; returns how many had errors (error outputs, stderr, a kernel that did not start, a cell that timed out).
    Each kernel's stderr goes to stderr_dir/NAME.kernel-stderr. ready_first: every kernel is started at once and has
    answered (or failed) before the first notebook runs."""
    stderr_of = lambda path: os.path.join(stderr_dir, os.path.basename(path) + ".kernel-stderr")
    cwd_of = lambda path: os.path.dirname(os.path.abspath(path))
    failed = 0
    lean = lean or small or prestart
    if ready_first:
        waiting = [asyncio.ensure_future(started_kernel(kernel, cwd_of(path), stderr_of(path), lean)) for path in paths]
        await asyncio.wait(waiting)
    next_start = waiting[0] if ready_first else asyncio.ensure_future(
        started_kernel(kernel, cwd_of(paths[0]), stderr_of(paths[0]), lean))
    for index, path in enumerate(paths):
        nb = nbformat.read(path, as_version=4)
        if small:
            nb = shrink(nb)
        log = []
        try:
            km, kc = await next_start
        except RuntimeError as e:
            km = None
            log.append(str(e))
        following = paths[index + 1] if index + 1 < len(paths) else None
        if following and ready_first:
            next_start = waiting[index + 1]
        elif following and prestart:
            next_start = asyncio.ensure_future(started_kernel(kernel, cwd_of(following), stderr_of(following), lean))
        start = time.monotonic()
        if km is not None:
            client = NotebookClient(nb, km=km, kernel_name=kernel, timeout=timeout, allow_errors=True,
                                    record_timing=False, resources={"metadata": {"path": cwd_of(path)}})
            client.kc = kc
            try:
                await client.async_execute()
            except Exception as e:   # a cell timed out or the kernel died: the notebook fails, the others still run
                log.append(f"{type(e).__name__}: {e}")
            finally:
                kc.stop_channels()
                await shut_down(km)
        seconds = time.monotonic() - start
        coalesce_streams(nb)
        nb.metadata["kernelspec"] = dict(KERNELSPEC)
        errors = log + errors_of(nb)
        failed += 1 if errors else 0
        done(path, nb, seconds, errors)
        if following and not prestart and not ready_first:
            next_start = asyncio.ensure_future(started_kernel(kernel, cwd_of(following), stderr_of(following), lean))
    return failed


def run_stoppably(coroutine):
    """Runs the runner's coroutine and returns what it returns. On SIGTERM, SIGINT or SIGHUP it kills every kernel it
    started, with what each started (each runs in a process group of its own, which a signal to this process's group
    does not reach), and exits at once with 128 + the signal (nbclient would take a cancelled cell for a failed one and
    go on)."""
    def stop(sig):
        for km in list(LIVE):
            group = getattr(km.provisioner, "pgid", None) if km.provisioner else None
            if group:
                try:
                    os.killpg(group, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        print(f"nbrun: stopped by {signal.Signals(sig).name}; the kernels it started are killed", file=sys.stderr,
              flush=True)
        sys.stdout.flush()
        os._exit(128 + sig)

    async def main():
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            asyncio.get_running_loop().add_signal_handler(sig, stop, sig)
        return await coroutine
    return asyncio.run(main())


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) >= 2 else 2
    command, args = argv[1], argv[2:]
    timeout = 300
    kernel = "nbio-ijava"
    rest = []
    i = 0
    while i < len(args):
        if args[i] == "--timeout":
            timeout = int(args[i + 1]); i += 2
        elif args[i] == "--kernel":
            kernel = args[i + 1]; i += 2
        else:
            rest.append(args[i]); i += 1

    if command == "hash":
        for path in rest:
            print(code_hash(nbformat.read(path, as_version=4), os.path.dirname(os.path.abspath(path))), path)
        return 0

    def summary(path, seconds, errors):
        return f"nbrun: {os.path.basename(path)} on {kernel}: {seconds:.1f} s, {len(errors)} error output(s)"

    if command == "execute":
        kernel, source, target = rest

        def written(path, nb, seconds, errors):
            nb.metadata.setdefault("nbio", {})["executed_on"] = kernel
            nbformat.write(nb, target)
            print(summary(path, seconds, errors), flush=True)
            for error in errors:
                print(error, file=sys.stderr)
        failed = run_stoppably(run_each(kernel, [source], timeout, False, False, os.path.dirname(os.path.abspath(target)), written))
        return 1 if failed else 0

    if command == "execute-all":
        flags = ("--small", "--prestart", "--ready-first", "--lean")
        small, prestart, ready_first, lean = (flag in rest for flag in flags)
        kernel, outdir, *paths = [arg for arg in rest if arg not in flags]
        os.makedirs(outdir, exist_ok=True)

        def written(path, nb, seconds, errors):
            name = os.path.basename(path)
            nb.metadata.setdefault("nbio", {})["executed_on"] = kernel
            nbformat.write(nb, os.path.join(outdir, name))
            print(summary(path, seconds, errors), flush=True)
            with open(os.path.join(outdir, name + ".log"), "w", encoding="utf-8") as out:
                out.write("\n".join([summary(path, seconds, errors)] + errors) + "\n")
        failed = run_stoppably(run_each(kernel, paths, timeout, small, prestart, outdir, written, ready_first, lean))
        return 1 if failed else 0

    if command == "regenerate":
        def written(path, nb, seconds, errors):
            if errors:
                print(f"nbrun: {path}: {len(errors)} error output(s); not written", file=sys.stderr)
                for error in errors:
                    print(error, file=sys.stderr)
                return
            nb.metadata["nbio"] = {"code_sha256": code_hash(nb, os.path.dirname(os.path.abspath(path))),
                                   "outputs_from_kernel": kernel}
            nbformat.write(nb, path)
            print(f"nbrun: {path}: regenerated on {kernel} in {seconds:.1f} s", flush=True)
        failed = run_stoppably(run_each(kernel, rest, timeout, False, False, tempfile.mkdtemp(prefix="nbrun-"), written))
        return 1 if failed else 0

    print(f"nbrun: unknown command {command!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
