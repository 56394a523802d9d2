import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { ConnectionState, ConnectionStatus } from './apollo';

const ConnectionContext = createContext<ConnectionStatus | null>(null);

export function ConnectionProvider({ status, children }: { status: ConnectionStatus; children: ReactNode }) {
  return <ConnectionContext.Provider value={status}>{children}</ConnectionContext.Provider>;
}

export function useConnection(): ConnectionStatus {
  const status = useContext(ConnectionContext);
  if (!status) throw new Error('useConnection outside ConnectionProvider');
  return status;
}

export function useConnectionState(): ConnectionState {
  const status = useConnection();
  return useSyncExternalStore(status.subscribe, () => status.state);
}
