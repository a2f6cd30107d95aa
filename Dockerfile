# The stratoverify command in a container, installed from the wheel the project builds.
#   docker build -t stratoverify .
#   docker run --rm -v "$PWD:/work" -u "$(id -u):$(id -g)" stratoverify check proposals/p.json --out out
# Its wheel build and install are the commands tests/packaging/test_wheel.py runs (from a copy
# of the tree filtered by .dockerignore); no Docker engine runs in the project's CI.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
COPY . .
RUN python -m pip wheel --no-deps . -w /dist

FROM python:3.11-slim
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
# git: `python -m reports.changed` reads which proposals a change touches from the history.
RUN apt-get update \
    && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /dist /dist
RUN python -m pip install /dist/*.whl && rm -rf /dist
RUN useradd --create-home --uid 10001 stratoverify
# The mounted repository belongs to another user: let git read it (its history names the changes).
ENV GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=safe.directory GIT_CONFIG_VALUE_0=*
USER stratoverify
WORKDIR /work
ENTRYPOINT ["stratoverify"]
CMD ["check"]
