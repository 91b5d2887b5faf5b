namespace OrleansChat.Api.Auth;

/// <summary>The dashboard's sign-in page: sends a pasted token once as a bearer header; the node answers with the cookie.</summary>
internal static class DashboardSignInPage
{
    public const string Html = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>OrleansChat dashboard: sign in</title>
          <style>
            body { font: 15px system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; }
            textarea { width: 100%; height: 8rem; font: 12px monospace; }
            #error { color: #b00020; }
          </style>
        </head>
        <body>
          <h1>Orleans dashboard</h1>
          <p>Paste an access token with the <code>chat_admin</code> claim from your identity provider. It is kept in a
          cookie for the dashboard only, until the token expires.</p>
          <form id="signin">
            <label for="token">Access token</label>
            <textarea id="token" required autocomplete="off" spellcheck="false"></textarea>
            <button type="submit">Sign in</button>
          </form>
          <p id="error" role="alert"></p>
          <script>
            document.getElementById('signin').addEventListener('submit', async event => {
              event.preventDefault();
              const token = document.getElementById('token').value.trim();
              const response = await fetch('signin', { method: 'POST', headers: { Authorization: 'Bearer ' + token } });
              if (response.ok) {
                location.href = './';
                return;
              }
              const problem = await response.json().catch(() => ({}));
              document.getElementById('error').textContent = problem.detail || ('Sign-in failed: ' + response.status);
            });
          </script>
        </body>
        </html>
        """;
}
