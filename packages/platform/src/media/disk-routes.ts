import { createReadStream } from 'node:fs';
import type http from 'node:http';
import busboy from 'busboy';
import type { Logger } from '../logger.js';
import { DISK_UPLOAD_PATH, type DiskObjectStorage, type DiskUploadPolicy } from './disk-storage.js';

/** The largest upload form the route reads: the largest file the media rules allow, and room for the fields. */
export const MAX_UPLOAD_FORM_BYTES = 16 * 1024 * 1024 + 64 * 1024;
const MAX_FIELD_BYTES = 4096;
const MAX_FIELDS = 10;

/** What the route answers a refused upload, S3's way: a status, a code, words. */
interface Refusal {
  status: number;
  code: string;
  message: string;
}

/**
 * The disk adapter's HTTP side, served by the gateway process under
 * `/media`: `POST /media` takes an upload form (what `presignUpload` gave
 * the client, then the file as the last field, as S3 wants it), and
 * `GET /media/<key>` serves a stored rendition with the headers a CDN would
 * (immutable caching, nosniff). Raw uploads are never served back.
 * Returns false for any other path.
 */
export function createDiskMediaRoutes(storage: DiskObjectStorage, logger: Logger) {
  return async (request: http.IncomingMessage, response: http.ServerResponse): Promise<boolean> => {
    const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
    if (path === DISK_UPLOAD_PATH && request.method === 'POST') {
      const refusal = await receiveUpload(storage, request).catch((error: unknown) => {
        logger.error({ err: error }, 'could not store an upload');
        return { status: 500, code: 'InternalError', message: 'The upload could not be stored. Please try again.' };
      });
      if (refusal) sendRefusal(response, refusal);
      else response.writeHead(204).end();
      return true;
    }
    if (path.startsWith(`${DISK_UPLOAD_PATH}/`) && (request.method === 'GET' || request.method === 'HEAD')) {
      await serveObject(storage, decodeURIComponent(path.slice(DISK_UPLOAD_PATH.length + 1)), request, response);
      return true;
    }
    return false;
  };
}

async function serveObject(storage: DiskObjectStorage, key: string, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const found = await storage.servable(key);
  if (!found) {
    sendRefusal(response, { status: 404, code: 'NoSuchKey', message: 'There is no such file.' });
    return;
  }
  response.writeHead(200, {
    'content-type': found.meta.contentType,
    'content-length': found.size,
    'cache-control': found.meta.cacheControl,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'",
    'cross-origin-resource-policy': 'cross-origin',
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  createReadStream(found.file).on('error', () => response.destroy()).pipe(response);
}

/** Reads the form, field by field, then the file; null when it is stored. */
async function receiveUpload(storage: DiskObjectStorage, request: http.IncomingMessage): Promise<Refusal | null> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_UPLOAD_FORM_BYTES) return drained(request, { status: 400, code: 'EntityTooLarge', message: 'The upload is larger than any upload allowed.' });
  if (!/^multipart\/form-data\b/i.test(request.headers['content-type'] ?? '')) {
    return drained(request, { status: 400, code: 'InvalidRequest', message: 'Send the upload as multipart/form-data, its fields first and the file last.' });
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: request.headers,
      limits: { fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES, files: 1, parts: MAX_FIELDS + 1, fileSize: MAX_UPLOAD_FORM_BYTES },
    });
  } catch {
    return drained(request, { status: 400, code: 'InvalidRequest', message: 'The multipart form has no boundary.' });
  }
  const fields = new Map<string, string>();
  const outcome = new Promise<Refusal | null>((resolve, reject) => {
    let file: Promise<Refusal | null> | null = null;
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) resolve({ status: 400, code: 'InvalidArgument', message: `The form field ${name} is too long.` });
      fields.set(name.toLowerCase(), value);
    });
    parser.on('file', (name, stream) => {
      if (name !== 'file' || file) {
        stream.resume();
        resolve({ status: 400, code: 'InvalidArgument', message: 'The file must be sent once, as the form field "file", after the other fields.' });
        return;
      }
      file = storeFile(storage, fields, stream);
      file.then(resolve, reject);
    });
    parser.on('filesLimit', () => resolve({ status: 400, code: 'InvalidArgument', message: 'Send one file per upload.' }));
    parser.on('fieldsLimit', () => resolve({ status: 400, code: 'InvalidArgument', message: 'The form has too many fields.' }));
    parser.on('error', () => resolve({ status: 400, code: 'MalformedPOSTRequest', message: 'The multipart form could not be read.' }));
    parser.on('close', () => {
      if (!file) resolve({ status: 400, code: 'InvalidArgument', message: 'The form has no file: send it as the last field, "file".' });
    });
  });
  request.pipe(parser);
  const refusal = await outcome;
  if (refusal) request.unpipe(parser).resume();
  return refusal;
}

/** Checks the signed policy against the form, then stores the file if it is exactly the size the policy names. */
async function storeFile(storage: DiskObjectStorage, fields: Map<string, string>, stream: NodeJS.ReadableStream): Promise<Refusal | null> {
  const policy = storage.verifyPolicy(fields.get('policy') ?? '', fields.get('signature') ?? '');
  const refusal = policyRefusal(policy, fields);
  if (refusal || !policy) {
    stream.resume();
    return refusal ?? { status: 403, code: 'AccessDenied', message: 'The upload form is not valid.' };
  }
  if ((await storage.receive(policy, stream)) === 'wrong-size') {
    return { status: 400, code: 'EntityTooLarge', message: `The file must be exactly ${policy.byteSize} bytes, as declared when the upload was created.` };
  }
  return null;
}

function policyRefusal(policy: DiskUploadPolicy | null, fields: Map<string, string>): Refusal | null {
  if (!policy) return { status: 403, code: 'AccessDenied', message: 'The upload form is not signed by this service: ask for a new upload.' };
  if (policy.expiresAt < Date.now()) return { status: 403, code: 'AccessDenied', message: 'The upload form has expired: ask for a new upload.' };
  if (fields.get('key') !== policy.key) return { status: 403, code: 'AccessDenied', message: 'The form field "key" is not the one this upload was made for.' };
  if (fields.get('content-type') !== policy.contentType) {
    return { status: 403, code: 'AccessDenied', message: `The form field "Content-Type" must be ${policy.contentType}, as declared.` };
  }
  return null;
}

function drained(request: http.IncomingMessage, refusal: Refusal): Refusal {
  request.resume();
  return refusal;
}

function sendRefusal(response: http.ServerResponse, { status, code, message }: Refusal): void {
  const text = JSON.stringify({ error: { code, message } });
  // The rest of a refused body is not read: the connection is not reused.
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), connection: 'close' });
  response.end(text);
}
