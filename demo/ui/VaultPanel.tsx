/**
 * What a script that steals this page's storage would find, read live from
 * IndexedDB (every database, store and record) after every session change:
 * sealed values as ciphertext byte counts, CryptoKeys with `extractable: false`,
 * and a button that tries to export them, as a thief would.
 */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { useSession } from 'latchkey/react';
import { eventLog } from '../event-log.ts';
import { readVault, tryExport, type Finding, type VaultReport } from '../vault-reader.ts';
import { clockTime } from './hooks.ts';

function FindingChip({ finding }: { finding: Finding }): ReactNode {
  const label = finding.field || 'value';
  switch (finding.kind) {
    case 'bytes':
      return <li className="chip chip-bytes">{label}: <strong>{finding.bytes} bytes</strong> of ciphertext</li>;
    case 'key':
      if (finding.type === 'public') {
        // WebCrypto always lets public keys out: they are public. Its private half is what matters.
        return (
          <li className="chip" data-key-type="public" data-extractable={String(finding.extractable)}>
            {label}: {finding.algorithm} public key (public by design)
          </li>
        );
      }
      return (
        <li className={finding.extractable ? 'chip chip-danger' : 'chip chip-key'} data-key-type={finding.type} data-extractable={String(finding.extractable)}>
          {label}: {finding.algorithm} {finding.type} key · <strong>extractable: {String(finding.extractable)}</strong>
        </li>
      );
    case 'token-like':
      return <li className="chip chip-danger">{label}: readable text, {finding.length} characters!</li>;
    default:
      return <li className="chip">{label}: {finding.text}</li>;
  }
}

export function VaultPanel(): ReactNode {
  const { session } = useSession();
  const [report, setReport] = useState<VaultReport | null>(null);
  const [exports, setExports] = useState<Array<{ algorithm: string; type: KeyType; outcome: string }> | null>(null);
  const read = useCallback(() => {
    readVault().then(setReport, () => setReport(null));
  }, []);
  useEffect(() => {
    read();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Storage changes after the session does (here, or in another tab): read again, a moment later.
    const soon = () => {
      clearTimeout(timer);
      timer = setTimeout(read, 150);
    };
    const stops = [session.subscribe(soon), eventLog.subscribe(soon)];
    return () => {
      clearTimeout(timer);
      for (const stop of stops) stop();
    };
  }, [session, read]);

  const findings = report?.records.flatMap((record) => record.findings) ?? [];
  const keys = findings.filter((f): f is Extract<Finding, { kind: 'key' }> => f.kind === 'key');
  const secretKeys = keys.filter((k) => k.type !== 'public');
  const bytes = findings.reduce((sum, f) => sum + (f.kind === 'bytes' ? f.bytes : 0), 0);
  const readable = findings.filter((f) => f.kind === 'token-like').length;
  const web = report?.webStorage;
  return (
    <section className="card card-vault" aria-labelledby="vault-title">
      <h2 id="vault-title">What a storage thief would find</h2>
      <p className="card-text">
        Read live from this page's IndexedDB, as any script on the page (an XSS payload, a rogue dependency) could.
        Tokens, the PKCE verifier, <code>state</code> and <code>nonce</code> are sealed with AES-GCM under a key the
        browser will not hand out; the DPoP key pair cannot be exported either.
      </p>
      {report && (
        <p className={`verdict ${readable === 0 && secretKeys.every((k) => !k.extractable) ? 'verdict-good' : 'verdict-bad'}`} id="vault-summary">
          {report.records.length} {report.records.length === 1 ? 'record' : 'records'} · {bytes} bytes of ciphertext · {secretKeys.length} secret and private keys,{' '}
          {secretKeys.filter((k) => !k.extractable).length} of them non-extractable · {readable} readable tokens ·
          localStorage {web!.localStorage}, sessionStorage {web!.sessionStorage}, cookies {web!.cookies}
        </p>
      )}
      <div className="actions">
        <button type="button" id="vault-read" className="button button-secondary" onClick={read}>
          Read again
        </button>
        <button
          type="button"
          id="vault-export"
          className="button button-secondary"
          disabled={!report || report.keys.length === 0}
          onClick={() => {
            if (report) void tryExport(report.keys).then(setExports);
          }}
        >
          Try to export the keys
        </button>
        {report && <span className="muted">read at {clockTime(report.readAt)}</span>}
      </div>
      {exports && (
        <ul className="exports" id="vault-exports">
          {exports.map((attempt, index) => (
            <li key={index} className={attempt.outcome === 'EXPORTED' ? 'bad' : 'good'}>
              {attempt.algorithm} {attempt.type} key: {attempt.outcome === 'EXPORTED' ? 'exported!' : `refused (${attempt.outcome})`}
            </li>
          ))}
        </ul>
      )}
      {report && report.records.length === 0 && <p className="empty">IndexedDB is empty.</p>}
      {report && report.records.length > 0 && (
        <div className="table-wrap">
          <table className="vault" id="vault">
            <thead>
              <tr>
                <th scope="col">Database / store</th>
                <th scope="col">Key</th>
                <th scope="col">What is in it</th>
              </tr>
            </thead>
            <tbody>
              {report.records.map((record) => (
                <tr key={`${record.database}/${record.store}/${record.key}`}>
                  <td><code>{record.database}</code> / <code>{record.store}</code></td>
                  <td><code className="record-key">{record.key}</code></td>
                  <td>
                    <ul className="chips">
                      {record.findings.map((finding, index) => <FindingChip key={index} finding={finding} />)}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
