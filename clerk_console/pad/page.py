"""The pad's one page: pairing, idle, the five large buttons, reasons for a bad rating."""

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>服务评价</title>
<style>
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;
 background:#f4f6f8;color:#1b1f23;text-align:center}
main{max-width:960px;margin:0 auto;padding:24px}
h1{font-size:2.2em;margin:.4em 0}
.big{font-size:1.6em;margin:.3em 0}
.levels{display:grid;grid-template-columns:repeat(5,1fr);gap:12px;margin:24px 0}
.levels button{font-size:1.5em;padding:36px 8px;border:0;border-radius:12px;color:#fff;
 cursor:pointer}
.l1{background:#1a7f37}.l2{background:#2da44e}.l3{background:#9a6700}.l4{background:#cf5a00}
.l5{background:#cf222e}
fieldset{border:1px solid #ccd;border-radius:8px;margin:10px 0;text-align:left;font-size:1.3em}
label{display:block;padding:8px}
input[type=checkbox]{transform:scale(1.6);margin-right:12px}
textarea{width:100%;font-size:1.2em;min-height:4em}
input#code{font-size:2em;width:8em;text-align:center;letter-spacing:.2em}
.act{font-size:1.5em;padding:14px 40px;margin:12px;border-radius:10px;border:0;
 background:#0969da;color:#fff}
.error{color:#cf222e;font-size:1.3em;min-height:1.4em}
.muted{color:#57606a}
</style></head>
<body><main>
<section id="pair">
 <h1>服务评价器配对</h1>
 <p class="big">请输入窗口屏幕上显示的配对码</p>
 <input id="code" inputmode="numeric" maxlength="6" autocomplete="off">
 <div><button class="act" id="pair-go">配对</button></div>
 <p class="error" id="pair-error"></p>
</section>
<section id="idle" hidden>
 <h1 id="window"></h1><p class="big" id="hall"></p>
 <p class="big">当班窗口人员：<span id="clerk">—</span></p>
 <p class="big" id="queue"></p>
 <p class="muted">办理结束后，请在此为本次服务评价</p>
</section>
<section id="rate" hidden>
 <h1>请您为本次服务评价</h1>
 <p class="big">办件 <span id="case-no"></span> · <span id="case-name"></span></p>
 <p class="big" id="case-items"></p><p class="big">结果：<span id="case-outcome"></span></p>
 <div class="levels" id="levels"></div>
 <div id="why" hidden>
  <p class="big">请选择不满意的原因（可多选），或写下您的意见</p>
  <div id="reasons"></div>
  <textarea id="comment" maxlength="500" placeholder="您的意见（选填）"></textarea>
  <div><button class="act" id="submit">提交评价</button></div>
 </div>
 <p class="error" id="rate-error"></p>
</section>
<section id="thanks" hidden><h1>感谢您的评价！</h1>
 <p class="big" id="thanks-text"></p></section>
</main>
<script>
const $ = id => document.getElementById(id);
let current = null, level = null, thanksUntil = 0;
function show(id){for(const s of ["pair","idle","rate","thanks"]) $(s).hidden = s !== id;}
async function api(path, body){
  const opt = body === undefined ? {} : {method:"POST", body:JSON.stringify(body),
    headers:{"Content-Type":"application/json"}};
  const r = await fetch(path, {credentials:"same-origin", ...opt});
  let data = {}; try { data = await r.json(); } catch(e) {}
  return {status:r.status, data};
}
$("pair-go").onclick = async () => {
  const r = await api("/api/pair", {code:$("code").value});
  if (r.status === 200) { $("pair-error").textContent = ""; poll(); }
  else $("pair-error").textContent = r.data.error || "配对失败";
};
function renderRate(st){
  const c = st.case;
  if (current && current.case_no === c.case_no) return;
  current = c; level = null;
  $("case-no").textContent = c.case_no; $("case-name").textContent = c.name;
  $("case-items").textContent = c.items.join("、"); $("case-outcome").textContent = c.outcome;
  $("levels").innerHTML = ""; $("why").hidden = true; $("rate-error").textContent = "";
  for (const l of st.levels) {
    const b = document.createElement("button");
    b.className = "l" + l.level; b.textContent = l.label; b.dataset.level = l.level;
    b.onclick = () => choose(l.level);
    $("levels").appendChild(b);
  }
  $("reasons").innerHTML = "";
  const groups = {};
  for (const r of st.reasons) (groups[r.group] = groups[r.group] || []).push(r);
  for (const [g, rs] of Object.entries(groups)) {
    const f = document.createElement("fieldset");
    const lg = document.createElement("legend"); lg.textContent = g; f.appendChild(lg);
    for (const r of rs) {
      const lab = document.createElement("label"); const cb = document.createElement("input");
      cb.type = "checkbox"; cb.value = r.code; lab.appendChild(cb);
      lab.appendChild(document.createTextNode(r.label)); f.appendChild(lab);
    }
    $("reasons").appendChild(f);
  }
  $("comment").value = "";
}
function choose(l){
  level = l;
  if (l >= 4) { $("why").hidden = false; return; }
  submit();
}
async function submit(){
  const reasons = [...document.querySelectorAll("#reasons input:checked")].map(x => x.value);
  const r = await api("/api/rate", {case_no:current.case_no, level, reasons,
                                    comment:$("comment").value});
  if (r.status === 200) {
    $("thanks-text").textContent = r.data.followup ? "我们会尽快核实并把处理情况告诉您。" : "";
    thanksUntil = Date.now() + 4000; current = null; show("thanks");
  } else $("rate-error").textContent = r.data.error || "提交失败，请重试";
}
$("submit").onclick = submit;
async function poll(){
  const r = await api("/api/state");
  if (r.status === 403) { show("pair"); return; }
  if (r.status === 200 && Date.now() > thanksUntil) {
    const st = r.data;
    $("window").textContent = st.window; $("hall").textContent = st.hall;
    $("clerk").textContent = st.clerk ? st.clerk.name + "（工号 " + st.clerk.id + "）" : "—";
    $("queue").textContent = st.queue ? "正在办理：" + st.queue : "";
    if (st.mode === "rate") { renderRate(st); show("rate"); } else { current = null; show("idle"); }
  }
  setTimeout(poll, 1000);
}
poll();
</script></body></html>
"""
