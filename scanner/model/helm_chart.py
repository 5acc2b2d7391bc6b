"""A chart as its files describe it: Chart.yaml, declared dependencies, vendored subcharts, values.yaml."""
from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

import yaml

from scanner.model.helm_values import ValuesFile, read_values
from scanner.parse.yaml import YamlTooComplex, parse_text


class ChartError(ValueError):
    """Chart.yaml is missing, not YAML, or names no chart."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path


@dataclass
class Dependency:
    name: str
    alias: str
    declared: dict
    place: tuple[str, int]   # (file, line) of the entry in Chart.yaml or requirements.yaml


@dataclass
class Chart:
    directory: str                     # repository-relative
    name: str
    values: ValuesFile
    dependencies: list[Dependency]
    pins_kube_version: bool = False                             # Chart.yaml has `kubeVersion:`
    subcharts: dict[str, Chart] = field(default_factory=dict)   # by chart name and by dependency alias

    def missing(self) -> list[Dependency]:
        return [dependency for dependency in self.dependencies if dependency.name not in self.subcharts]

    def walk(self) -> list[Chart]:
        charts, seen = [self], {id(self)}
        for subchart in self.subcharts.values():
            for chart in subchart.walk():
                if id(chart) not in seen:
                    seen.add(id(chart))
                    charts.append(chart)
        return charts

    def repository_path(self, helm_path: str) -> str:
        """`top/charts/sub/templates/x.yaml` (Helm's name for a template) as the file in the repository."""
        parts = helm_path.split("/")[1:]
        chart = self
        while len(parts) >= 2 and parts[0] == "charts" and parts[1] in chart.subcharts:
            chart = chart.subcharts[parts[1]]
            parts = parts[2:]
        return posixpath.join(chart.directory, *parts) if parts else chart.directory


def read_chart(directory: str, files: dict[str, str]) -> Chart:
    chart_yaml = join(directory, "Chart.yaml")
    metadata = _mapping(chart_yaml, files)
    name = metadata.get("name")
    if not isinstance(name, str) or not name:
        raise ChartError(chart_yaml, "Chart.yaml names no chart (`name:`)")
    dependencies = _dependencies(directory, files, metadata)
    values_path = join(directory, "values.yaml")
    chart = Chart(directory, name, read_values(values_path, files.get(values_path, "")), dependencies,
                  "kubeVersion" in metadata)
    for subdirectory in _subchart_directories(directory, files):
        subchart = read_chart(subdirectory, files)
        chart.subcharts.setdefault(subchart.name, subchart)
        for dependency in dependencies:
            if dependency.name == subchart.name and dependency.alias:
                chart.subcharts.setdefault(dependency.alias, subchart)
    return chart


def renderable(chart: Chart, files: dict[str, str]) -> dict[str, str]:
    """Chart.yaml and requirements.yaml texts to render with instead: without the entries of absent
    dependencies (`helm template` refuses them, the SDK skips them) and without `kubeVersion` (the binary
    refuses a chart whose range excludes its default Kubernetes version, the SDK does not check)."""
    rewritten: dict[str, str] = {}
    for member in chart.walk():
        absent = {dependency.name for dependency in member.missing()}
        paths = {dependency.place[0] for dependency in member.missing()}
        if member.pins_kube_version:
            paths.add(join(member.directory, "Chart.yaml"))
        for path in sorted(paths):
            document = dict(_mapping(path, files))   # read as a mapping before
            document.pop("kubeVersion", None)
            document["dependencies"] = [entry for entry in document.get("dependencies") or []
                                        if not (isinstance(entry, dict) and entry.get("name") in absent)]
            rewritten[path] = yaml.safe_dump(document, sort_keys=False)
    return rewritten


def join(directory: str, name: str) -> str:
    return posixpath.join(directory, name) if directory else name


def _mapping(path: str, files: dict[str, str]) -> dict:
    if path not in files:
        raise ChartError(path, f"{posixpath.basename(path)} not found")
    try:
        documents = parse_text(path, files[path])
    except (yaml.YAMLError, YamlTooComplex) as error:
        raise ChartError(path, f"{posixpath.basename(path)} is not valid YAML: {str(error).splitlines()[0]}") from error
    if not documents or not isinstance(documents[0].values, dict):
        raise ChartError(path, f"{posixpath.basename(path)} is not a mapping")
    return documents[0].values


def _dependencies(directory: str, files: dict[str, str], metadata: dict) -> list[Dependency]:
    declared_in = join(directory, "Chart.yaml")
    if not metadata.get("dependencies") and join(directory, "requirements.yaml") in files:
        declared_in = join(directory, "requirements.yaml")   # apiVersion v1 charts
    try:
        documents = parse_text(declared_in, files[declared_in])
    except (yaml.YAMLError, YamlTooComplex):
        return []
    if not documents or not isinstance(documents[0].values, dict):
        return []
    entries = documents[0].values.get("dependencies")
    found = []
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            alias = entry["alias"] if isinstance(entry.get("alias"), str) else ""
            line = documents[0].locations.get(("dependencies", index), 0)
            found.append(Dependency(entry["name"], alias, entry, (declared_in, line)))
    return found


def _subchart_directories(directory: str, files: dict[str, str]) -> list[str]:
    charts = join(directory, "charts") + "/"
    found = set()
    for path in files:
        if path.startswith(charts):
            rest = path[len(charts):].split("/")
            if len(rest) == 2 and rest[1] == "Chart.yaml":
                found.add(charts + rest[0])
    return sorted(found)
