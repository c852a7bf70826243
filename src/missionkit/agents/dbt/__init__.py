"""The ``dbt`` agent: staging models and tests from a mapping, built with dbt on the warehouse."""
