"""distillwatch: streaming detection of model-extraction / distillation abuse of an LLM API."""

from setuptools import find_packages, setup

setup(
    name="distillwatch",
    version="0.1.0",
    description="Streaming detector for model extraction / distillation abuse of an AI provider's API",
    python_requires=">=3.11",
    packages=find_packages(include=["pipelines*", "models*", "simulator*", "distillwatch*", "devtools*"]),
    package_data={
        "pipelines": ["schema/*.json"],
        "models": ["artifacts/*", "data/azure-llm-inference-2023/*"],
        "simulator": ["data/*.json"],
        "distillwatch": ["sql/*.sql", "sql/views/*.sql"],
    },
    install_requires=[
        "apache-beam[gcp]==2.77.0",
        "google-cloud-pubsub>=2.20",
        "google-cloud-bigquery>=3.20",
        "scikit-learn==1.9.1",
        "threadpoolctl>=3.1",  # imported directly: one OpenMP thread per scoring call and in training
        "skops==0.16.0",
        "numpy>=2.0",
        "duckdb==1.5.5",
        "duckdb-cli==1.5.5",  # the `duckdb` shell, to read the local store
        "msgspec>=0.19",
        "orjson>=3.9",
        "datasketches>=5.0",
        "sqlglot>=25",
        "matplotlib>=3.8",
    ],
    extras_require={
        "test": [
            "pytest>=8",
            "scipy>=1.10",  # imported directly by the end-to-end test (binomial bound); also a scikit-learn dependency
            "hypothesis>=6.100",
            "ruff>=0.6",
            "bqemulator==1.4.0",
            "duckdb-extension-spatial==1.5.5",
        ],
    },
    entry_points={"console_scripts": ["distillwatch=distillwatch.cli:main"]},
)
