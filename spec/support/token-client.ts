import axios, { type AxiosInstance } from 'axios';

/**
 * A token client whose every request is answered HTTP 500 by a local adapter, counting them: for
 * specs that assert no token request was sent at all.
 */
export function countingTokenClient(): { tokenClient: AxiosInstance; requests(): number } {
  let requests = 0;
  const tokenClient = axios.create({
    adapter: async (config) => {
      requests += 1;
      return { status: 500, statusText: 'Error', headers: {}, data: '', config };
    },
  });
  return { tokenClient, requests: () => requests };
}
