# The silo image. Build context: the repository root (see docker-compose.yml).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/ src/
RUN dotnet publish src/Silo/Silo.csproj -c Release -o /app -nologo

FROM mcr.microsoft.com/dotnet/runtime:10.0
WORKDIR /app
COPY --from=build /app .
# Silo-to-silo and gateway ports (Orleans__SiloPort, Orleans__GatewayPort).
EXPOSE 11111 30000
# The same entry point deploy/local/cluster.sh runs from the build output.
ENTRYPOINT ["dotnet", "OrleansChat.Silo.dll"]
