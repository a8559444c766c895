// The console's reads from the wirewatch server (docs/console.md lists the endpoints).

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function getJson(path) {
  const response = await fetch(path, {headers: {Accept: 'application/json'}});
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      message = (await response.json()).error || message;
    } catch { /* not JSON: keep the status line */ }
    throw new ApiError(response.status, message);
  }
  return response.json();
}

export const alertPath = (id) => `/api/alerts/${encodeURIComponent(id)}`;
