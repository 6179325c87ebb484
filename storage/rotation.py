"""Key rotation: rewrite every sealed value under the keyring's newest key.

The sealed columns are found in the models (every `SealedJSON` / `SealedText` column), so a
new sealed column is rotated without touching this module. Rows are rewritten in small
transactions, so the service keeps running during a rotation; a value changed meanwhile
by a turn is already sealed under the newest key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Column, Table, Text, bindparam, select, type_coerce, update

from storage.db import Database
from storage.models import Base
from storage.sealing import SealedJSON, SealedText, is_sealed, json_bytes

BATCH = 500


@dataclass
class RotationReport:
    rewritten: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rewritten.values())


def sealed_columns() -> list[tuple[Table, Column[Any]]]:
    return [
        (table, column)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, SealedJSON | SealedText)
    ]


async def rotate_keys(db: Database) -> RotationReport:
    report = RotationReport()
    for table, column in sealed_columns():
        report.rewritten[f"{table.name}.{column.name}"] = await _rotate_column(db, table, column)
    return report


async def _rotate_column(db: Database, table: Table, column: Column[Any]) -> int:
    (key,) = table.primary_key.columns
    raw_type = JSON() if isinstance(column.type, SealedJSON) else Text()
    raw = type_coerce(column, raw_type)
    rewritten, last = 0, None
    while True:
        async with db.transaction() as session:
            query = select(key, raw).order_by(key).limit(BATCH).with_for_update()
            if last is not None:
                query = query.where(key > last)
            rows = (await session.execute(query)).all()
            for ident, stored in rows:
                if stored is None or stored == {} or stored == []:
                    continue
                if isinstance(column.type, SealedText) or is_sealed(stored):
                    value = db.keyring.reseal(stored)
                else:  # a JSON document written before sealing
                    value = db.keyring.seal(json_bytes(stored))
                await session.execute(
                    update(table)
                    .where(key == ident)
                    .values({column.name: bindparam("sealed", value, type_=raw_type)})
                )
                rewritten += 1
        if len(rows) < BATCH:
            return rewritten
        last = rows[-1][0]
