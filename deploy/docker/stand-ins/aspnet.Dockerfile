# Stand-in for mcr.microsoft.com/dotnet/aspnet: the runtime stand-in plus this machine's ASP.NET Core runtime.
# Context: Dockerfile plus shared/Microsoft.AspNetCore.App/ of this machine's .NET installation.
ARG BASE
FROM ${BASE}

ARG ASPNET_VERSION
ENV ASPNET_VERSION=${ASPNET_VERSION}
COPY shared /usr/share/dotnet/shared
