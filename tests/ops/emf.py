"""The CloudWatch Embedded Metric Format, as its specification states it (docs.aws.amazon.com,
AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html), for
tests to validate every line the shop writes; and the lines read back as metric values."""

import json
from numbers import Real

# The units the specification allows for a MetricDefinition's Unit.
UNITS = frozenset(
    {
        "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
        "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
        "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second",
        "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
    }
)  # fmt: skip
MAX_DIMENSIONS = 30  # per DimensionSet
MAX_METRICS = 100  # per directive
MAX_VALUES = 100  # per metric


def problems(line):
    """What is wrong with one EMF line per the specification (empty when it is valid)."""
    found = []
    try:
        document = json.loads(line)
    except ValueError:
        return ["not JSON"]
    if not isinstance(document, dict):
        return ["not a JSON object"]
    metadata = document.get("_aws")
    if not isinstance(metadata, dict):
        return ["no _aws object"]
    if not isinstance(metadata.get("Timestamp"), int) or metadata["Timestamp"] < 0:
        found.append("Timestamp is not a non-negative integer (ms since the epoch)")
    directives = metadata.get("CloudWatchMetrics")
    if not isinstance(directives, list):
        return [*found, "CloudWatchMetrics is not an array"]
    for directive in directives:
        found += _directive_problems(directive, document)
    return found


def _directive_problems(directive, document):
    found = []
    namespace = directive.get("Namespace")
    if not isinstance(namespace, str) or not 1 <= len(namespace) <= 1024:
        found.append("Namespace is not a string of 1 to 1024 characters")
    dimension_sets = directive.get("Dimensions")
    if not isinstance(dimension_sets, list):
        found.append("Dimensions is not an array")
        dimension_sets = []
    for dimension_set in dimension_sets:
        if not isinstance(dimension_set, list) or len(dimension_set) > MAX_DIMENSIONS:
            found.append(f"a DimensionSet is not an array of at most {MAX_DIMENSIONS} names")
            continue
        for name in dimension_set:
            if not isinstance(document.get(name), str):
                found.append(f"dimension {name!r} is not a string member of the root")
    definitions = directive.get("Metrics")
    if not isinstance(definitions, list) or len(definitions) > MAX_METRICS:
        return [*found, f"Metrics is not an array of at most {MAX_METRICS}"]
    for definition in definitions:
        name = definition.get("Name")
        if not isinstance(name, str) or not 1 <= len(name) <= 1024:
            found.append("a metric Name is not a string of 1 to 1024 characters")
            continue
        if "Unit" in definition and definition["Unit"] not in UNITS:
            found.append(f"{name}: Unit {definition['Unit']!r} is not one of the specification's")
        value = document.get(name)
        values = value if isinstance(value, list) else [value]
        if not values or len(values) > MAX_VALUES or not all(_is_number(each) for each in values):
            found.append(f"{name}: the root member is not a number or an array of at most {MAX_VALUES} numbers")
    return found


def _is_number(value):
    return isinstance(value, Real) and not isinstance(value, bool)


def emf_lines(output):
    """The EMF lines among `output`'s lines (anything else written to stdout is left alone)."""
    lines = []
    for line in output.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            lines.append(line)
    return lines


def datapoints(lines):
    """Every (metric name, dimensions, value) the lines carry."""
    points = []
    for line in lines:
        document = json.loads(line)
        for directive in document["_aws"]["CloudWatchMetrics"]:
            dimension_names = {name for names in directive["Dimensions"] for name in names}
            dimensions = {name: document[name] for name in sorted(dimension_names)}
            for definition in directive["Metrics"]:
                value = document[definition["Name"]]
                for each in value if isinstance(value, list) else [value]:
                    points.append((definition["Name"], dimensions, each))
    return points


def total(lines, name, **dimensions):
    """The sum of `name`'s values over the lines, where the given dimensions match."""
    return sum(
        value
        for metric, point_dimensions, value in datapoints(lines)
        if metric == name and all(point_dimensions.get(key) == each for key, each in dimensions.items())
    )
