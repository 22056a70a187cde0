"""Core statements compiled once per dialect and run on the DB-API cursor.

SQLAlchemy's own execution of a statement (its compiled cache, execution context and
result objects) cost twice what the database took for the hottest ones: a guess's read
and writes (``app.services.guess_rows``), the live standings' rows
(``app.services.standings``) and the marks every process reads several times a second
(``app.services.live``). Here the same SQL runs on the connection's DB-API cursor, with
the columns' own conversions of parameters and results, announced to the engine's
listeners as SQLAlchemy announces its own (a test counts them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

Convert = Any  # a column type's conversion of one value (or None: none needed)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...] | None  # the parameters in order (a positional paramstyle)
    binds: dict[str, Convert]


class Prepared:
    """A Core statement compiled once per dialect and run on the connection's DB-API
    cursor: its parameters and its row converted by the columns' own types."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}
        self._results: dict[str, tuple[Convert, ...]] = {}  # from the first row's types

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = cast(SQLCompiler, self.statement.compile(dialect=dialect))
        binds = {
            bind.key: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for bind in compiled.binds.values()
        }
        names = tuple(compiled.positiontup) if compiled.positiontup is not None else None
        made = _Compiled(compiled.string, names, binds)
        self._compiled[dialect.name] = made
        return made

    def run(self, connection: Connection, values: dict[str, Any]) -> Any:
        """Execute with these values; the DB-API cursor (the caller closes it)."""
        compiled = self._compiled.get(connection.dialect.name) or self._compile(connection.dialect)
        converted = {
            name: convert(values[name]) if convert else values[name]
            for name, convert in compiled.binds.items()
        }
        parameters: Any = converted
        if compiled.names is not None:
            parameters = tuple(converted[name] for name in compiled.names)
        cursor = connection.connection.cursor()
        listeners = connection.dispatch.before_cursor_execute
        if listeners:
            listeners(connection, cursor, compiled.sql, parameters, None, False)
        cursor.execute(compiled.sql, parameters)
        return cursor

    def first(self, connection: Connection, values: dict[str, Any]) -> tuple[Any, ...] | None:
        """The first row, its values converted; None when there is none."""
        cursor = self.run(connection, values)
        try:
            row = cursor.fetchone()
            results = self._results.get(connection.dialect.name)
            if results is None:
                results = self._result_types(connection.dialect, cursor.description)
        finally:
            cursor.close()
        if row is None:
            return None
        return tuple(c(v) if c else v for c, v in zip(results, row, strict=True))

    def all(self, connection: Connection, values: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Every row, its values converted (a conversion only where a column needs one)."""
        cursor = self.run(connection, values)
        try:
            rows: list[tuple[Any, ...]] = cursor.fetchall()
            results = self._results.get(connection.dialect.name)
            if results is None:
                results = self._result_types(connection.dialect, cursor.description)
        finally:
            cursor.close()
        converting = [(i, c) for i, c in enumerate(results) if c]
        if not converting:
            return rows
        converted = []
        for row in rows:
            values_ = list(row)
            for i, convert in converting:
                values_[i] = convert(values_[i])
            converted.append(tuple(values_))
        return converted

    def _result_types(self, dialect: Dialect, description: Any) -> tuple[Convert, ...]:
        """Each column's conversion, for the type the database says it sends."""
        selected = getattr(self.statement, "exported_columns", None) or []  # or RETURNING
        results = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, sent[1])
            for column, sent in zip(selected, description, strict=True)
        )
        self._results[dialect.name] = results
        return results

    def count(self, connection: Connection, values: dict[str, Any]) -> int:
        """How many rows the statement changed."""
        cursor = self.run(connection, values)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()
