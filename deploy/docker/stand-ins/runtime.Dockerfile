# Stand-in for mcr.microsoft.com/dotnet/runtime: this machine's .NET runtime on Debian, with what the real image sets
# up (the libraries .NET needs, the non-root user "app" with APP_UID, the same environment).
# Context: Dockerfile plus dotnet, host/ and shared/Microsoft.NETCore.App/ of this machine's .NET installation.
ARG BASE
FROM ${BASE}

ENV APP_UID=1654 \
    ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_RUNNING_IN_CONTAINER=true

RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libc6 libgcc-s1 libicu72 libssl3 libstdc++6 tzdata zlib1g \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid=$APP_UID app \
    && useradd -l --uid=$APP_UID --gid=$APP_UID --create-home app

ARG DOTNET_VERSION
ENV DOTNET_VERSION=${DOTNET_VERSION}
COPY dotnet /usr/share/dotnet/
COPY host /usr/share/dotnet/host
COPY shared /usr/share/dotnet/shared
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
