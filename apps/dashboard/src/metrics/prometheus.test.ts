import { renderPrometheus } from "./prometheus";

describe("renderPrometheus", () => {
  it("writes HELP, TYPE and escaped labels", () => {
    const text = renderPrometheus([
      { name: "x_jobs", help: "Jobs\nper queue", type: "gauge", samples: [{ labels: { queue: 'a"b\\c' }, value: 3 }] },
      { name: "x_duration", help: "d", type: "summary", samples: [{ labels: { quantile: "0.5" }, value: NaN }, { value: 2, suffix: "_count" }] },
    ]);
    expect(text).toBe(
      '# HELP x_jobs Jobs\\nper queue\n# TYPE x_jobs gauge\nx_jobs{queue="a\\"b\\\\c"} 3\n# HELP x_duration d\n# TYPE x_duration summary\nx_duration{quantile="0.5"} NaN\nx_duration_count 2\n',
    );
  });
});
