"""Kernels forked from the warmed template (issue 18): each is a kernel of its own (working directory,
environment, session, random seed), the build follows it although it is not the build's child, and no
kernel outlives the template or the build. The template's early call validates a first build's evidence,
and when it cannot, the build validates itself.

The equality of every executed default report on forked, reused kernels and on fresh ones is proved in
test_isolation; the faults (timeouts, SIGKILL of a kernel or of the build) in test_faults.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fixtures.build_project import make_project, report

from lymphoma_evidence.errors import KernelStartError
from lymphoma_evidence.publish import engine, kernels
from lymphoma_evidence.publish.engine import kernel_environment
from lymphoma_evidence.publish.kernel_template import ForkedProcess, KernelTemplate, TemplateCall, supported

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not supported(), reason="kernels are forked on Linux only")]

PROBE = ("import gc, json, os, sys, numpy\n"
         "print(json.dumps({'cwd': os.getcwd(), 'probe': os.environ.get('LE_PROBE'), 'pid': os.getpid(),\n"
         "                  'collects': gc.isenabled(),\n"
         "                  'ppid': os.getppid(), 'sid': os.getsid(0), 'argv': sys.argv,\n"
         "                  'draw': int(numpy.random.randint(0, 2**31)),\n"
         "                  'pandas': 'pandas' in sys.modules, 'preloaded': 'wave' in sys.modules}))\n")


def probe(manager) -> dict:
    """What the kernel ``manager`` reports about itself (:data:`PROBE`)."""
    client = kernels._client_classes()[1]()
    client.load_connection_info(manager.get_connection_info())
    printed: list[str] = []
    try:
        client.start_channels()
        client.wait_for_ready(timeout=60)
        client.execute_interactive(PROBE, timeout=60, output_hook=lambda msg: printed.append(
            msg["content"].get("text", "")) if msg["msg_type"] == "stream" else None)
    finally:
        client.stop_channels()
    return json.loads("".join(printed))


def gone(pid: int, within: float) -> bool:
    """Whether process ``pid`` has ended and been collected (no zombie) within ``within`` seconds."""
    deadline = time.monotonic() + within
    while Path(f"/proc/{pid}").exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "evidence").mkdir()
    return {**kernel_environment(tmp_path / "evidence"), "LE_PROBE": "given to the kernel"}


def test_forked_kernels_are_kernels_of_their_own(tmp_path, environment, monkeypatch):
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path)  # a relative working directory is the build's, not the template's
    template = kernels.kernel_template(Path("notebooks"), environment, preload=("wave",))
    assert template is not None
    pool = kernels.KernelPool(2, 2, Path("notebooks"), environment, template=template)
    try:
        first, second = pool.take(), pool.take()
        seen = [probe(first), probe(second)]
    finally:
        pool.close()
    template_pid = seen[0]["ppid"]
    assert seen[1]["ppid"] == template_pid != os.getpid(), "both forked from the template"
    for kernel in seen:
        assert kernel["cwd"] == str(tmp_path / "notebooks")
        assert kernel["probe"] == "given to the kernel"
        assert kernel["sid"] == kernel["pid"], "each kernel leads its own session, as launched ones do"
        assert kernel["argv"][1] == "-f" and kernel["argv"][2].endswith(".json")
        assert kernel["pandas"] and kernel["preloaded"], "the template's imports are inherited"
        assert kernel["collects"], "the template collects no garbage during its imports; kernels do"
    assert seen[0]["draw"] != seen[1]["draw"], "numpy's global generator is reseeded in every kernel"
    assert gone(seen[0]["pid"], 5) and gone(seen[1]["pid"], 5) and gone(template_pid, 5)


def test_a_preload_module_that_cannot_be_imported_is_named_and_the_build_goes_on(tmp_path):
    options = make_project(tmp_path, '[kernels]\npreload = ["pandas", "no_such_module_here"]\n'
                           + report("one", "ok_params.ipynb"))
    said: list[str] = []
    result = engine.run_build(options, progress=said.append)
    assert result.exit_code == 0
    assert [line for line in said if line.startswith("warning:")] == [
        f"warning: [kernels] preload in {options.definitions}: could not import no_such_module_here; check "
        "the module names (the reports imported what they needed themselves)."]


def test_when_the_template_dies_kernels_are_started_one_by_one_and_the_build_says_so(tmp_path, monkeypatch):
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "ends_the_process.py").write_text("import os\nos._exit(3)\n", encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(modules))
    options = make_project(tmp_path, '[kernels]\npreload = ["ends_the_process"]\n'
                           + report("one", "ok_params.ipynb") + report("two", "ok_params.ipynb"))
    said: list[str] = []
    result = engine.run_build(options, progress=said.append)
    assert result.exit_code == 0 and result.count("built") == 2
    warnings = [line for line in said if line.startswith("warning:")]
    assert len(warnings) == 1 and warnings[0].startswith("warning: the kernel template stopped (")
    assert warnings[0].endswith("; kernels were started one by one instead (slower).")


def test_a_preload_module_that_prints_does_not_disturb_the_template(tmp_path, monkeypatch):
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "talks.py").write_text("print('{not a reply')\n", encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(modules))
    options = make_project(tmp_path, '[kernels]\npreload = ["talks"]\n' + report("one", "ok_params.ipynb"))
    said: list[str] = []
    assert engine.run_build(options, progress=said.append).exit_code == 0
    assert not [line for line in said if line.startswith("warning:")], "kernels were forked as usual"


def test_a_killed_forked_kernel_is_seen_dead_and_collected(tmp_path, environment):
    template = KernelTemplate(tmp_path, environment, kernels.WARM_MODULES)
    manager = None
    try:
        manager = kernels.start_warm_kernel(str(tmp_path / "k"), tmp_path, environment, template=template)
        process = manager.provisioner.process
        assert isinstance(process, ForkedProcess) and manager.is_alive()
        kernels.kill_kernel_process(manager)
        assert process.wait(timeout=10) == -1
        assert not manager.is_alive()
        assert gone(process.pid, 5), "the template collects its ended kernels (no zombie is left)"
    finally:
        if manager is not None:
            kernels.stop_kernel(manager)
        template.close()


def test_closing_the_template_stops_the_kernels_forked_from_it(tmp_path, environment):
    template = KernelTemplate(tmp_path, environment, kernels.WARM_MODULES)
    manager = kernels.start_warm_kernel(str(tmp_path / "k"), tmp_path, environment, template=template)
    pid = manager.provisioner.process.pid
    try:
        template.close()  # as a build that ends (or is killed) without shutting its kernels down
        assert gone(pid, 0.5), "stopped and collected by the template, not left to ipykernel's parent poller"
    finally:
        kernels.stop_kernel(manager)


def test_a_stopped_template_gives_a_clear_kernel_start_error(tmp_path, environment):
    template = KernelTemplate(tmp_path, environment, ())
    template._process.send_signal(signal.SIGKILL)
    template._process.wait()
    try:
        with pytest.raises(KernelStartError, match="the kernel template stopped .*--fresh-kernels"):
            template.fork(["-f", str(tmp_path / "k.json")], environment, str(tmp_path))
    finally:
        template.close()


def test_a_process_that_has_ended_polls_as_ended():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    assert ForkedProcess(pid).poll() == -1


@pytest.fixture
def calls_module(tmp_path: Path, environment: dict[str, str]) -> dict[str, str]:
    """``environment`` with a module ``calls`` on its path: functions a template's child can call."""
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "calls.py").write_text(
        "import gc, os, sys, time\n"
        "def where(value):\n"
        "    return {'pid': os.getpid(), 'ppid': os.getppid(), 'value': value,\n"
        "            'wave': 'wave' in sys.modules, 'collects': gc.isenabled()}\n"
        "def fails(value):\n"
        "    raise ValueError(value)\n"
        "def dies():\n"
        "    os._exit(0)\n", encoding="utf-8")
    return {**environment, "PYTHONPATH": str(modules)}


def test_a_call_runs_in_a_child_of_the_template_after_its_needs_and_returns_its_result(tmp_path,
                                                                                        calls_module):
    template = KernelTemplate(tmp_path, calls_module, kernels.WARM_MODULES,
                              TemplateCall("calls:where", ({"a": [1, 2]},), needs=("wave",)))
    try:
        result = template.call_result(60)
        assert result is not None
        assert result["value"] == {"a": [1, 2]} and result["wave"], "called with its args, after its needs"
        assert result["ppid"] == template._process.pid != result["pid"], "in a child of the template"
        assert result["collects"], "the child collects garbage, although the template was importing"
        assert template.call_result(60) is None, "the result is read once"
        manager = kernels.start_warm_kernel(str(tmp_path / "k"), tmp_path, calls_module, template=template)
        try:
            assert probe(manager)["ppid"] == template._process.pid, "kernels are forked after the call"
        finally:
            kernels.stop_kernel(manager)
    finally:
        template.close()
    assert gone(result["pid"], 5), "the template collects the call's child"


@pytest.mark.parametrize("call", [TemplateCall("calls:fails", ("no",), needs=()),
                                  TemplateCall("calls:dies", (), needs=()),
                                  TemplateCall("calls:no_such_function", (), needs=()),
                                  TemplateCall("calls:where", (1,), needs=("no_such_module_here",))])
def test_a_call_that_fails_gives_no_result_and_the_template_goes_on(tmp_path, calls_module, call):
    template = KernelTemplate(tmp_path, calls_module, (), call)
    try:
        result = template.call_result(60)
        if call.needs:  # a missing need is named like a missing warm module, and the call still runs
            assert result is not None and result["value"] == 1
            kernels.stop_kernel(kernels.start_warm_kernel(str(tmp_path / "k"), tmp_path, calls_module,
                                                          template=template))
            assert template.missing == ("no_such_module_here",)
        else:
            assert result is None
    finally:
        template.close()


def test_a_call_that_takes_too_long_gives_no_result_within_the_wait(tmp_path, environment):
    template = KernelTemplate(tmp_path, environment, (), TemplateCall("time:sleep", (30,), needs=()))
    try:
        started = time.monotonic()
        assert template.call_result(0.5) is None
        assert time.monotonic() - started < 10
    finally:
        template.close()  # stops the child too (test_faults: no process outlives the build)


def test_a_first_build_validates_the_evidence_in_the_template_not_in_the_build_process(tmp_path):
    options = make_project(tmp_path, report("one", "ok_params.ipynb"))
    script = ("import sys\n"
              "from pathlib import Path\n"
              "from lymphoma_evidence.publish.engine import BuildOptions, run_build\n"
              f"options = BuildOptions(Path({str(options.definitions)!r}), Path({str(options.evidence)!r}), "
              f"Path({str(options.out)!r}))\n"
              "result = run_build(options, progress=lambda line: None)\n"
              "print(result.exit_code, 'pandas' in sys.modules, 'pandera' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          check=True)
    assert done.stdout.split() == ["0", "False", "False"], done.stderr
    assert list((options.out / ".cache").glob("evidence-*.validator")), "the child saved the bundle"


def test_the_validation_child_is_forked_after_the_preloaded_modules_validation_uses(tmp_path):
    options = make_project(tmp_path, report("one", "ok_params.ipynb"))
    call = engine._validation_call(options, "hash", "validator",
                                   ("scipy.special", "matplotlib.pyplot", "pandera", "wave"))
    assert call.needs == ("lymphoma_evidence.data.evidence", "scipy.special", "pandera"), \
        "the child shares the preload of the libraries validation runs on, and waits for nothing else"
    assert engine._validation_call(options, "hash", "validator").needs == ("lymphoma_evidence.data.evidence",)


def test_when_the_templates_child_cannot_validate_the_build_validates_itself(tmp_path, monkeypatch):
    options = make_project(tmp_path, report("one", "ok_params.ipynb"))
    monkeypatch.setattr(engine, "_validation_call", lambda *args: TemplateCall("os:abort", (), needs=()))
    result = engine.run_build(options, progress=lambda line: None)
    assert result.exit_code == 0 and result.count("built") == 1
    assert list((options.out / ".cache").glob("evidence-*.validator")), "saved by the build process"
