import { NO_TRANSACTION_MARKER, runsOutsideTransaction } from './migration-runner';

describe('runsOutsideTransaction', () => {
  it('is true for a migration whose first line is the marker', () => {
    expect(
      runsOutsideTransaction(
        `${NO_TRANSACTION_MARKER}\nCREATE INDEX CONCURRENTLY "i" ON "t"("c");\n`,
      ),
    ).toBe(true);
  });

  it('accepts CRLF line endings and a byte-order mark', () => {
    expect(runsOutsideTransaction(`\uFEFF${NO_TRANSACTION_MARKER}\r\nSELECT 1;\r\n`)).toBe(true);
  });

  it('is false when the marker is not the first line', () => {
    expect(runsOutsideTransaction(`-- an index\n${NO_TRANSACTION_MARKER}\nSELECT 1;\n`)).toBe(
      false,
    );
  });
});
