"""Module directories and root modules: which blocks each directory declares, which directories other
modules call, and the evaluation of every root module (a directory no other module calls)."""
from __future__ import annotations

import contextlib
import posixpath
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping, TypeVar

from scanner.model.rendered import Place
from scanner.model.resource import Resource
from scanner.model.terraform.expressions import constant
from scanner.model.terraform.files import Read
from scanner.model.terraform.trace import Settled
from scanner.notices import NOT_EVALUATED, Notice
from scanner.model.terraform.plan_values import PlanValues
from scanner.parse.modules import ModuleManifest
from scanner.parse import expressions as x
from scanner.parse.packed import PackedTerraform, TerraformSyntax, module_sources, unpacked
from scanner.parse.terraform import Attribute, Block, TerraformFile

Table = TypeVar("Table", dict, frozenset)   # an attribute table TerraformModel.share keeps once

Declared = tuple[Block, str]          # a block and the file it is written in


@dataclass
class ModuleDir:
    path: str
    variables: dict[str, Declared] = field(default_factory=dict)
    locals: dict[str, tuple[Attribute, str]] = field(default_factory=dict)
    outputs: dict[str, Declared] = field(default_factory=dict)
    resources: list[Declared] = field(default_factory=list)
    modules: list[Declared] = field(default_factory=list)
    providers: list[Declared] = field(default_factory=list)
    settings: list[Declared] = field(default_factory=list)   # terraform {} blocks
    tfvars: list[TerraformFile] = field(default_factory=list)

    def add(self, block: Block, path: str) -> None:
        if block.type == "variable" and block.labels:
            self.variables[block.labels[0]] = (block, path)
        elif block.type == "locals":
            for name, attr in block.attributes.items():
                self.locals[name] = (attr, path)
        elif block.type == "output" and block.labels:
            self.outputs[block.labels[0]] = (block, path)
        elif block.type == "resource" and len(block.labels) == 2:
            self.resources.append((block, path))
        elif block.type == "module" and block.labels:
            self.modules.append((block, path))
        elif block.type == "provider" and block.labels:
            self.providers.append((block, path))
        elif block.type == "terraform":
            self.settings.append((block, path))


class ModuleDirs(Mapping[str, ModuleDir]):
    """Module directory -> its declarations, each directory unpacked from its files (parse/packed.py) when
    evaluation first asks for it and kept until released; which directories call which is known from the
    files' module sources without unpacking any."""

    def __init__(self, files: dict[str, list[TerraformSyntax]], tfvars: dict[str, list[TerraformFile]]):
        self._files = files
        self._tfvars = tfvars
        self._unpacked: dict[str, ModuleDir] = {}

    def __getitem__(self, directory: str) -> ModuleDir:
        module = self._unpacked.get(directory)
        if module is None:
            module = ModuleDir(directory)
            for syntax in self._files[directory]:
                tree = unpacked(syntax)
                for block in tree.blocks:
                    module.add(block, tree.path)
            module.tfvars.extend(self._tfvars.get(directory, ()))
            self._unpacked[directory] = module
        return module

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def __contains__(self, directory: object) -> bool:
        return directory in self._files

    def sources(self, directory: str) -> Iterator[x.Expr | None]:
        """The `source` of each module block of the directory, in file order."""
        for syntax in self._files[directory]:
            yield from syntax.module_sources if isinstance(syntax, PackedTerraform) else module_sources(syntax)

    def unpacked_directories(self) -> set[str]:
        return set(self._unpacked)

    def forget_unpacked(self, keep: set[str]) -> None:
        """Let the unpacked declarations go but for `keep`'s: they are unpacked again when asked for."""
        for directory in set(self._unpacked) - keep:
            del self._unpacked[directory]

    def release(self, directory: str) -> None:
        del self._files[directory]
        self._unpacked.pop(directory, None)


def group_modules(files: list[TerraformSyntax], tfvars: list[TerraformFile]) -> ModuleDirs:
    by_directory: dict[str, list[TerraformSyntax]] = {}
    for syntax in files:
        by_directory.setdefault(posixpath.dirname(syntax.path), []).append(syntax)
    variables: dict[str, list[TerraformFile]] = {}
    for tf in tfvars:
        variables.setdefault(posixpath.dirname(tf.path), []).append(tf)
    return ModuleDirs(by_directory, variables)


def local_module_dir(caller_dir: str, source: Any) -> str | None:
    """The directory a local module source (`./x`, `../x`) names, relative to the scan; None otherwise."""
    if not isinstance(source, str) or not source.startswith(("./", "../")):
        return None
    if not caller_dir:
        return normalise(source)
    return normalise(posixpath.normpath(posixpath.join(caller_dir, source)).lstrip("./"))


def normalise(path: str) -> str:
    path = posixpath.normpath(path)
    return "" if path == "." else path


def auto_loaded(path: str) -> bool:
    name = posixpath.basename(path)
    return name in ("terraform.tfvars", "terraform.tfvars.json") or name.endswith((".auto.tfvars", ".auto.tfvars.json"))


@dataclass
class TerraformModel:
    """What evaluating every root module produced."""
    modules: ModuleDirs
    texts: Mapping[str, str] = field(default_factory=dict)    # scanned file texts, for file() and templatefile()
    digests: Mapping[str, str] = field(default_factory=dict)  # path -> SHA-256 of the bytes parsed (root cache keys)
    manifests: dict[str, ModuleManifest] = field(default_factory=dict)   # root directory -> its modules.json
    installed: set[str] = field(default_factory=set)      # directories of modules terraform init installed
    plans: dict[str, PlanValues] = field(default_factory=dict)   # root directory -> the plan made there
    _ordered: list[str] | None = field(default=None, repr=False)
    resources: list[Resource] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    visited: set[str] = field(default_factory=set)
    evaluations: dict[str, str] = field(default_factory=dict)   # root directory -> cache.evaluation() of it
    _told: set[tuple[str, int]] = field(default_factory=set, repr=False)   # module blocks said not evaluated
    file_reads: list[Read] | None = None   # while a root is evaluated for the root cache: what file() & co. read
    _shared: dict[tuple, Any] = field(default_factory=dict, repr=False)   # tables equal across instances (share)

    def not_evaluated(self, address: str, path: str, line: int, reason: str) -> None:
        """A module call whose code is not evaluated: said once per module block, on that block."""
        self.tell(Notice(path, line, f"{address} is not evaluated: {reason}; the resources it creates "
                         "are not judged", "note", NOT_EVALUATED))

    @contextlib.contextmanager
    def apart(self, logged: bool = False) -> Iterator[None]:
        """While one root module is evaluated on its own: no resources, notices, visited directories or module
        blocks told yet (evaluation reads none of them, it only adds to them), and with `logged` a list for
        what the file functions read; the model's own are back afterwards."""
        shared = self.resources, self.notices, self.visited, self._told
        self.resources, self.notices, self.visited, self._told = [], [], set(), set()
        self.file_reads = [] if logged else None
        try:
            yield
        finally:
            self.resources, self.notices, self.visited, self._told = shared
            self.file_reads = None

    def share(self, field: str, table: Table) -> Table:
        """The one object kept for tables of `field` equal to `table`: a module that many roots or a count
        instantiate gives each instance equal location, literal, reference, chain, origin and place tables,
        which took a third of the Terraform model's memory. Resources never change these tables once emitted."""
        key = (field, table) if isinstance(table, frozenset) else (field, *table.items())
        return self._shared.setdefault(key, table)

    def share_tables(self, resource: Resource) -> None:
        """Give `resource` the kept object of each of its tables (see share): for the resources an instance
        emits (those a root cache entry gives back are read into the kept tables: codec.decode_resources)."""
        share = self.share
        resource.locations = share("locations", resource.locations)
        resource.literal_paths = share("literals", resource.literal_paths)
        resource.references = share("references", resource.references)
        resource.chains = share("chains", resource.chains)
        resource.origins = share("origins", resource.origins)
        resource.places = share("places", resource.places)
        if not resource.provider_values:    # a provider's values are one table already; an empty one is not.
            # A new empty table, not this one: it may be a provider block's own values.
            resource.provider_values = share("provider_values", {})

    def release(self, directories: Iterable[str]) -> None:
        """Forget the syntax of module directories nothing left to evaluate may call (terraform.Releases)."""
        for directory in directories:
            self.modules.release(directory)

    def drop_syntax(self) -> None:
        """Forget the modules' syntax trees once every root is evaluated: the resources and notices are all the
        scan keeps, and the trees would otherwise stay alive with the rest of the model (its memory peak)."""
        self.modules = ModuleDirs({}, {})
        self._ordered = None

    def tell(self, notice: Notice) -> None:
        """Add a notice; one that a module block is not evaluated only once per block (the first wins)."""
        if notice.kind == NOT_EVALUATED:
            if (notice.path, notice.line) in self._told:
                return
            self._told.add((notice.path, notice.line))
        self.notices.append(notice)

    def reached(self, root: str) -> tuple[set[str], set[tuple[str, ...]]] | None:
        """Every scanned module directory `root` may call, transitively (itself included), and the facts of how
        each call's source resolves (a directory the scan has or has not); None when a source is not a literal.
        `root` is a root module, or a directory that may be evaluated as one."""
        modules = self.modules
        facts: set[tuple[str, ...]] = set()
        pending = [root]
        manifest = self.manifests.get(root)
        for installed in manifest.modules.values() if manifest is not None else ():
            directory = normalise(posixpath.join(root, installed.directory)) if root else normalise(installed.directory)
            facts.add(("installed", directory, str(directory in modules)))
            pending.append(directory)
        reached: set[str] = set()
        while pending:
            directory = pending.pop()
            if directory in reached or directory not in modules:
                continue
            reached.add(directory)
            for source in modules.sources(directory):
                if source is None:
                    continue
                if not isinstance(source, x.Lit):
                    return None
                target = local_module_dir(directory, source.value)
                if target is not None:
                    facts.add(("local", directory, target, str(target in modules)))
                    pending.append(target)
        return reached, facts

    def called_dirs(self) -> set[str]:
        called = set()
        for directory in self.modules:
            for source in self.modules.sources(directory):
                if isinstance(source, x.Lit):
                    target = local_module_dir(directory, source.value)
                    if target is not None and target != directory:
                        called.add(target)
        return called

    def ordered_paths(self) -> list[str]:
        """The scanned paths, sorted once (file functions list directories by prefix)."""
        if self._ordered is None:
            self._ordered = sorted(self.texts)
        return self._ordered

    def installed_dir(self, root: str, address: str) -> str | None:
        """The directory of the module `terraform init` installed for a module call in a root module."""
        manifest = self.manifests.get(root)
        found = manifest.for_call(address) if manifest is not None else None
        if found is None:
            return None
        directory = normalise(posixpath.join(root, found.directory)) if root else normalise(found.directory)
        return directory if directory in self.modules else None

    def root_inputs(self, module: ModuleDir, var_files: list[TerraformFile]) -> dict[str, Settled]:
        """A root module's inputs: auto-loaded tfvars (terraform.tfvars first), then --var-file files."""
        ordered = sorted(module.tfvars, key=lambda f: (not f.path.endswith("terraform.tfvars"), f.path))
        inputs: dict[str, Settled] = {}
        for tf in [f for f in ordered if auto_loaded(f.path)] + var_files:
            for attr in tf.attributes.values():
                inputs[attr.name] = Settled(constant(attr.expr), places=((Place(tf.path, attr.line), "tfvars"),))
        plan = self.plans.get(module.path)
        if plan is not None:   # the values terraform used when it made the plan
            inputs.update(plan.variables())
        return inputs
