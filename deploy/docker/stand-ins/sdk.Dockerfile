# Stand-in for mcr.microsoft.com/dotnet/sdk: the aspnet stand-in plus this machine's .NET SDK, NuGet configuration and
# CA bundle, so that a restore inside "docker build" reaches the same feeds through the same proxies as this machine.
# Context: Dockerfile, sdk/, sdk-manifests/, packs/, templates/ of this machine's .NET installation, nuget/ (user and
# machine NuGet configuration, each folder possibly empty) and ca-certificates.crt.
ARG BASE
FROM ${BASE}

ARG DOTNET_SDK_VERSION
ARG NUGET_CERT_REVOCATION_MODE=online
ENV DOTNET_GENERATE_ASPNET_CERTIFICATE=false \
    DOTNET_NOLOGO=true \
    DOTNET_SDK_VERSION=${DOTNET_SDK_VERSION} \
    DOTNET_USE_POLLING_FILE_WATCHER=true \
    NUGET_XMLDOC_MODE=skip \
    NUGET_CERT_REVOCATION_MODE=${NUGET_CERT_REVOCATION_MODE}

COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY nuget/user /root/.nuget/NuGet/
COPY nuget/machine /etc/opt/NuGet/Config/
COPY sdk /usr/share/dotnet/sdk
COPY sdk-manifests /usr/share/dotnet/sdk-manifests
COPY packs /usr/share/dotnet/packs
COPY templates /usr/share/dotnet/templates
# The first run prepares the SDK once, here, instead of in every build that uses the image.
RUN dotnet help >/dev/null
