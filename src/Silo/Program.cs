using Microsoft.Extensions.Hosting;
using OrleansChat.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.AddChatSilo();
builder.Build().Run();
