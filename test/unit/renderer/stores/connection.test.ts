import { describe, expect, it } from 'vitest';
import { useConnectionStore } from '../../../../src/renderer/stores/connection.ts';
import { FakeTransport, installLab } from '../fake-transport.ts';

describe('useConnectionStore', () => {
  it('starts from the transport status and follows its changes', () => {
    const transport = new FakeTransport('websocket');
    transport.setStatus('connecting');
    installLab(transport);
    const connection = useConnectionStore();

    expect(connection.transport).toBe('websocket');
    expect(connection.status).toBe('connecting');
    transport.setStatus('connected');
    expect(connection.status).toBe('connected');
    transport.setStatus('reconnecting');
    expect(connection.status).toBe('reconnecting');
    transport.setStatus('stopped');
    expect(connection.status).toBe('stopped');
  });

  it('says which transport carries the lab', () => {
    installLab(new FakeTransport('ipc'));
    expect(useConnectionStore().transport).toBe('ipc');
  });
});
