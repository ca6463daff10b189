import { describe, expect, it } from 'vitest';
import { renderAlert } from '../../lambda/core/alert-text';

// biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('renderAlert', () => {
  const alertCtx = {
    region: 'us-east-1',
    account: '123456789012',
    runId: 'req-1',
    prefix: '/glacier-sweeper',
  };

  it('names the parameter and value, says nothing was aborted and how to fix it', () => {
    const { subject, text } = renderAlert(
      { parameter: 'older-than', message: 'older-than "3h": must be at least 24h' },
      alertCtx,
    );
    expect(subject).toBe('glacier-sweeper: configuration error, nothing aborted (us-east-1)');
    expect(text).toContain('Parameter: /glacier-sweeper/older-than');
    expect(text).toContain('Problem: older-than "3h": must be at least 24h');
    expect(text).toContain('nothing was aborted');
    expect(text).toContain(
      'aws ssm put-parameter --name /glacier-sweeper/older-than --overwrite --value 7d --region us-east-1',
    );
  });

  it('accepts the full parameter name, as the settings parser writes it', () => {
    const { text } = renderAlert(
      { parameter: '/glacier-sweeper/max-aborts', message: 'max-aborts = "-1": must be a whole number' },
      alertCtx,
    );
    expect(text).toContain('Parameter: /glacier-sweeper/max-aborts\n');
    expect(text).toContain('put-parameter --name /glacier-sweeper/max-aborts --overwrite --value 1000');
  });

  it('says an environment variable is fixed by redeploying, not in SSM', () => {
    const { text } = renderAlert(
      { parameter: 'SWEEPER_TOPIC_ARN', message: 'SWEEPER_TOPIC_ARN is not set' },
      alertCtx,
    );
    expect(text).toContain('SWEEPER_TOPIC_ARN is an environment variable of the function');
    expect(text).not.toContain('aws ssm');
  });

  it('points to the parameter list when the parameter is unknown or from the event', () => {
    const { text } = renderAlert(
      { parameter: 'event.vaults', message: 'vault "x" is not configured' },
      alertCtx,
    );
    expect(text).toContain('Parameter: event.vaults');
    expect(text).not.toContain('put-parameter');
    expect(text).toContain('aws ssm get-parameters-by-path --path /glacier-sweeper');
  });

  it('keeps a hostile message out of the subject and bounded in the text', () => {
    const { subject, text } = renderAlert(
      { parameter: 'exclude', message: `bad\x1b[2J\u202e${'x'.repeat(100_000)}` },
      { ...alertCtx, region: 'r\n'.repeat(50) },
    );
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    // Newlines are the text's own line breaks; nothing else from the control ranges may appear.
    expect(text.replaceAll('\n', ' ')).not.toMatch(CONTROL);
    expect(text.length).toBeLessThan(10_000);
  });
});
