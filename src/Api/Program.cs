using OrleansChat.Api.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddChatOrleans();
builder.AddChatApi();

var app = builder.Build();
app.MapChatApi();
app.Run();

/// <summary>Entry point, visible to the tests that host the API on a loopback port.</summary>
public partial class Program;
