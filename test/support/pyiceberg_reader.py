"""An independent reader for floe's tests: opens a table through pyiceberg's SqlCatalog and
prints its rows as canonical JSON, so tests compare values exactly (no float or timestamp
rounding on the way). Also writes tables, for the reverse direction (floe reads pyiceberg's).

  python pyiceberg_reader.py scan   CATALOG_JSON TABLE [SNAPSHOT_ID]
  python pyiceberg_reader.py info   CATALOG_JSON TABLE
  python pyiceberg_reader.py write  CATALOG_JSON TABLE   (creates a small table; prints its rows)

CATALOG_JSON: {"name": ..., "uri": "sqlite:////abs/path.db", "warehouse": "file:///abs/dir"}
Canonical values: integers and temporals as decimal strings (days or microseconds), floats as
'f64:' + the 8 IEEE bytes in hex ('nan' for NaN), decimals in plain notation, binary as hex, lists as lists, maps as [key, value] pairs.
"""
import decimal
import json
import math
import struct
import sys

import pyarrow as pa
import pyarrow.compute as pc
from pyiceberg.catalog.sql import SqlCatalog


def open_catalog(spec):
    return SqlCatalog(spec["name"], uri=spec["uri"], warehouse=spec["warehouse"])


def integer_view(arr):
    """Temporal columns as plain integers (days or microseconds): exact at any range."""
    t = arr.type
    if pa.types.is_timestamp(t) or pa.types.is_time64(t) or pa.types.is_time32(t):
        return arr.cast(pa.int64())
    if pa.types.is_date32(t):
        return arr.cast(pa.int32())
    return arr


def canonical(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return "f64:" + struct.pack(">d", value).hex()
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        if value and all(isinstance(x, tuple) and len(x) == 2 for x in value):
            return [[canonical(k), canonical(v)] for k, v in value]
        return [canonical(v) for v in value]
    if hasattr(value, "bytes"):  # uuid.UUID
        return value.bytes.hex()
    return str(value)


def table_rows(arrow_table):
    columns = {}
    for name in arrow_table.column_names:
        col = arrow_table.column(name).combine_chunks()
        columns[name] = integer_view(col).to_pylist()
    n = arrow_table.num_rows
    return [{name: canonical(columns[name][i]) for name in arrow_table.column_names} for i in range(n)]


def scan(spec, table_name, snapshot_id=None):
    table = open_catalog(spec).load_table(table_name)
    kwargs = {} if snapshot_id is None else {"snapshot_id": int(snapshot_id)}
    arrow_table = table.scan(**kwargs).to_arrow()
    print(json.dumps({"rows": table_rows(arrow_table)}))


def info(spec, table_name):
    table = open_catalog(spec).load_table(table_name)
    md = table.metadata
    print(json.dumps({
        "format_version": md.format_version,
        "schema": json.loads(table.schema().model_dump_json()),
        "snapshots": [
            {"snapshot_id": str(s.snapshot_id), "summary": {k: str(v) for k, v in s.summary.additional_properties.items()} | {"operation": str(s.summary.operation.value)}}
            for s in md.snapshots
        ],
        "current_snapshot_id": None if md.current_snapshot_id is None else str(md.current_snapshot_id),
        "spec": json.loads(table.spec().model_dump_json()),
    }))


def write(spec, table_name):
    catalog = open_catalog(spec)
    ns = table_name.rsplit(".", 1)[0]
    catalog.create_namespace_if_not_exists(ns)
    data = pa.table({
        "id": pa.array([1, 2, 3], pa.int64()),
        "name": pa.array(["a", "β", None], pa.string()),
        "amount": pa.array([decimal.Decimal("1.50"), decimal.Decimal("-2.25"), None], pa.decimal128(10, 2)),
    })
    table = catalog.create_table(table_name, schema=data.schema)
    table.append(data)
    print(json.dumps({"rows": table_rows(table.scan().to_arrow())}))


if __name__ == "__main__":
    command, spec_json, name = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    if command == "scan":
        scan(spec_json, name, sys.argv[4] if len(sys.argv) > 4 else None)
    elif command == "info":
        info(spec_json, name)
    elif command == "write":
        write(spec_json, name)
    else:
        sys.exit(f"pyiceberg_reader: unknown command {command!r}")
