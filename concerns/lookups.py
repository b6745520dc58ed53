"""``field__any_of=[ids]``: ``column = ANY(%s::<type>[])`` with the values as one array parameter.

The same plan as ``field__in=[...]`` (PostgreSQL turns an IN list into ``= ANY(ARRAY[...])``),
but one parameter instead of one per value. The database driver parses a statement's
placeholders once and caches the result only for statements of at most 50 parameters; the
queue's statements, with a lead's covered teams listed twice, had more and were parsed again
on every request. The value may also be an expression that gives an array (the queue's search
gives ``ARRAY(subquery)``, which PostgreSQL runs once before the rows are read).
"""

from django.db.models import Field, ForeignObject, Lookup


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [list(value)])

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        array_type = self.lhs.output_field.db_type(connection)
        return f"{lhs} = ANY({rhs}::{array_type}[])", [*lhs_params, *rhs_params]


def register() -> None:
    # Relations keep lookups of their own (ForeignObject does not inherit Field's).
    Field.register_lookup(AnyOf)
    ForeignObject.register_lookup(AnyOf)
