# The API node image. Build context: the repository root (see docker-compose.yml).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/ src/
RUN dotnet publish src/Api/Api.csproj -c Release -o /app -nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# The image listens on 8080 (ASPNETCORE_HTTP_PORTS of the base image).
EXPOSE 8080
# The same entry point deploy/local/cluster.sh runs from the build output.
ENTRYPOINT ["dotnet", "OrleansChat.Api.dll"]
