import { describe, expect, it } from 'vitest';
import { UPLOAD_CHUNK_BYTES } from '../../../../src/renderer/api/upload-picker.ts';
import { UPLOAD_CHUNK_MAX_BYTES } from '../../../../src/shared/contract/datasets.ts';

describe('the browser uploader', () => {
  it('sends chunks the lab accepts: the web server sizes its frame limit from the contract chunk limit', () => {
    // A larger chunk would be cut off by the WebSocket frame limit, not refused with a message.
    expect(UPLOAD_CHUNK_BYTES).toBeLessThanOrEqual(UPLOAD_CHUNK_MAX_BYTES);
  });
});
