using Microsoft.Extensions.Hosting;
using OrleansChat.Hosting;
using OrleansChat.Silo;

var builder = Host.CreateApplicationBuilder(args);
builder.AddChatSilo();
builder.AddSiloTelemetry();
builder.Build().Run();
