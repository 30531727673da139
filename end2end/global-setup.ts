// Waits for the server under test to answer its health check before any test starts.
export default async function globalSetup(): Promise<void> {
  const baseURL = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
  const deadline = Date.now() + 60_000;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${baseURL}/healthz`);
      if (response.ok) return;
      lastError = `status ${response.status}`;
    } catch (error) {
      lastError = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`server at ${baseURL} did not become healthy: ${lastError}`);
}
