package license

// entry is one row of the license table: what is known about a license and
// the other spellings it goes by.
type entry struct {
	Info
	// aliases are other ids and names of the license: SPDX ids, license_name
	// values seen on the Hub, informal names. They are compared in compact
	// form (see compact), so "llama-3", "Llama 3" and "llama3" are one alias.
	aliases []string
}

// spdx returns the SPDX page of an SPDX license id.
func spdx(id string) string { return "https://spdx.org/licenses/" + id + ".html" }

// obs lists obligations, for the table.
func obs(o ...Obligation) []Obligation { return o }

// Obligation sets shared by many entries.
var (
	notice    = obs(ObligationAttribution)
	copyleft  = obs(ObligationAttribution, ObligationShareAlike, ObligationPassOn)
	openRAIL  = obs(ObligationAttribution, ObligationFieldOfUse, ObligationPassOn)
	research  = obs(ObligationAttribution, ObligationPassOn, ObligationNonCommercial, ObligationResearchOnly)
	llama31up = obs(ObligationAttribution, ObligationNaming, ObligationAcceptableUse, ObligationUserCap, ObligationPassOn)
)

// The caps of user-capped licenses.
const (
	llamaCap = 700_000_000
	qwenCap  = 100_000_000
)

// table is the license knowledge of the package. Every Info field is
// documented on [Info]; the boolean fields are derived from the obligations
// when the index is built, and every entry is Known. Each entry's ID is the
// id the Hugging Face Hub uses in card metadata when the Hub has one, and
// otherwise the license_name value most often seen with license "other".
// docs/licenses.md explains the class and obligations of each entry.
var table = []entry{
	// Permissive.
	{Info: Info{ID: "apache-2.0", Name: "Apache License 2.0", Class: Permissive, Obligations: notice, Family: "apache", URL: "https://www.apache.org/licenses/LICENSE-2.0"}, aliases: []string{"apache2", "apache", "apache-license-2.0", "asl-2.0", "apache-2"}},
	{Info: Info{ID: "mit", Name: "MIT License", Class: Permissive, Obligations: notice, Family: "mit", URL: spdx("MIT")}, aliases: []string{"expat", "mit-license"}},
	{Info: Info{ID: "mit-0", Name: "MIT No Attribution", Class: Permissive, Family: "mit", URL: spdx("MIT-0")}},
	{Info: Info{ID: "0bsd", Name: "BSD Zero Clause License", Class: Permissive, Family: "bsd", URL: spdx("0BSD")}, aliases: []string{"bsd-0-clause"}},
	{Info: Info{ID: "afl-3.0", Name: "Academic Free License v3.0", Class: Permissive, Obligations: notice, Family: "afl", URL: spdx("AFL-3.0")}},
	{Info: Info{ID: "artistic-2.0", Name: "Artistic License 2.0", Class: Permissive, Obligations: notice, Family: "artistic", URL: spdx("Artistic-2.0")}},
	{Info: Info{ID: "bsl-1.0", Name: "Boost Software License 1.0", Class: Permissive, Obligations: notice, Family: "bsl", URL: spdx("BSL-1.0")}, aliases: []string{"boost"}},
	{Info: Info{ID: "bsd", Name: "BSD License (unspecified variant)", Class: Permissive, Obligations: notice, Family: "bsd", URL: "https://opensource.org/license/bsd-3-clause"}},
	{Info: Info{ID: "bsd-2-clause", Name: `BSD 2-Clause "Simplified" License`, Class: Permissive, Obligations: notice, Family: "bsd", URL: spdx("BSD-2-Clause")}, aliases: []string{"simplified-bsd", "freebsd"}},
	{Info: Info{ID: "bsd-3-clause", Name: `BSD 3-Clause "New" or "Revised" License`, Class: Permissive, Obligations: notice, Family: "bsd", URL: spdx("BSD-3-Clause")}, aliases: []string{"new-bsd", "revised-bsd", "modified-bsd"}},
	{Info: Info{ID: "bsd-3-clause-clear", Name: "BSD 3-Clause Clear License", Class: Permissive, Obligations: notice, Family: "bsd", URL: spdx("BSD-3-Clause-Clear")}},
	{Info: Info{ID: "isc", Name: "ISC License", Class: Permissive, Obligations: notice, Family: "isc", URL: spdx("ISC")}},
	{Info: Info{ID: "ncsa", Name: "University of Illinois/NCSA Open Source License", Class: Permissive, Obligations: notice, Family: "ncsa", URL: spdx("NCSA")}},
	{Info: Info{ID: "postgresql", Name: "PostgreSQL License", Class: Permissive, Obligations: notice, Family: "postgresql", URL: spdx("PostgreSQL")}},
	{Info: Info{ID: "zlib", Name: "zlib License", Class: Permissive, Obligations: notice, Family: "zlib", URL: spdx("Zlib")}},
	{Info: Info{ID: "x11", Name: "X11 License", Class: Permissive, Obligations: notice, Family: "mit", URL: spdx("X11")}},
	{Info: Info{ID: "wtfpl", Name: "Do What The F*ck You Want To Public License", Class: Permissive, Family: "wtfpl", URL: spdx("WTFPL")}},
	{Info: Info{ID: "ecl-2.0", Name: "Educational Community License v2.0", Class: Permissive, Obligations: notice, Family: "apache", URL: spdx("ECL-2.0")}},
	{Info: Info{ID: "etalab-2.0", Name: "Etalab Open License 2.0", Class: Permissive, Obligations: notice, Family: "etalab", URL: spdx("etalab-2.0")}, aliases: []string{"licence-ouverte-2.0"}},
	{Info: Info{ID: "lppl-1.3c", Name: "LaTeX Project Public License v1.3c", Class: Permissive, Obligations: notice, Family: "lppl", URL: spdx("LPPL-1.3c")}},
	{Info: Info{ID: "cc-by-1.0", Name: "Creative Commons Attribution 1.0 Generic", Class: Permissive, Obligations: notice, Family: "cc", URL: spdx("CC-BY-1.0")}},
	{Info: Info{ID: "cc-by-2.0", Name: "Creative Commons Attribution 2.0 Generic", Class: Permissive, Obligations: notice, Family: "cc", URL: spdx("CC-BY-2.0")}},
	{Info: Info{ID: "cc-by-2.5", Name: "Creative Commons Attribution 2.5 Generic", Class: Permissive, Obligations: notice, Family: "cc", URL: spdx("CC-BY-2.5")}},
	{Info: Info{ID: "cc-by-3.0", Name: "Creative Commons Attribution 3.0 Unported", Class: Permissive, Obligations: notice, Family: "cc", URL: spdx("CC-BY-3.0")}},
	{Info: Info{ID: "cc-by-4.0", Name: "Creative Commons Attribution 4.0 International", Class: Permissive, Obligations: notice, Family: "cc", URL: spdx("CC-BY-4.0")}},
	{Info: Info{ID: "cdla-permissive-1.0", Name: "Community Data License Agreement Permissive 1.0", Class: Permissive, Obligations: notice, Family: "cdla", URL: spdx("CDLA-Permissive-1.0")}},
	{Info: Info{ID: "cdla-permissive-2.0", Name: "Community Data License Agreement Permissive 2.0", Class: Permissive, Obligations: notice, Family: "cdla", URL: spdx("CDLA-Permissive-2.0")}},
	{Info: Info{ID: "odc-by", Name: "Open Data Commons Attribution License v1.0", Class: Permissive, Obligations: notice, Family: "odc", URL: spdx("ODC-By-1.0")}, aliases: []string{"odc-by-1.0"}},
	{Info: Info{ID: "apple-ascl", Name: "Apple Sample Code License", Class: Permissive, Obligations: notice, Family: "apple-ascl", URL: "https://developer.apple.com/support/downloads/terms/apple-sample-code/Apple-Sample-Code-License.pdf"}, aliases: []string{"apple-sample-code-license", "ascl"}},
	{Info: Info{ID: "openmdw-1.0", Name: "OpenMDW License Agreement v1.0", Class: Permissive, Obligations: notice, Family: "openmdw", URL: "https://openmdw.ai/license/"}, aliases: []string{"openmdw"}},
	// Public-domain dedications: permissive without attribution.
	{Info: Info{ID: "cc0-1.0", Name: "Creative Commons Zero v1.0 Universal", Class: Permissive, Family: "cc", URL: spdx("CC0-1.0")}, aliases: []string{"cc0"}},
	{Info: Info{ID: "unlicense", Name: "The Unlicense", Class: Permissive, Family: "unlicense", URL: spdx("Unlicense")}},
	{Info: Info{ID: "pddl", Name: "Open Data Commons Public Domain Dedication and License v1.0", Class: Permissive, Family: "odc", URL: spdx("PDDL-1.0")}, aliases: []string{"pddl-1.0"}},
	{Info: Info{ID: "public-domain", Name: "Public domain", Class: Permissive, Family: "public-domain"}},

	// Weak copyleft.
	{Info: Info{ID: "lgpl", Name: "GNU Lesser General Public License (unspecified version)", Class: WeakCopyleft, Obligations: copyleft, Family: "lgpl", URL: "https://www.gnu.org/licenses/lgpl-3.0.html"}},
	{Info: Info{ID: "lgpl-2.1", Name: "GNU Lesser General Public License v2.1", Class: WeakCopyleft, Obligations: copyleft, Family: "lgpl", URL: spdx("LGPL-2.1-only")}},
	{Info: Info{ID: "lgpl-3.0", Name: "GNU Lesser General Public License v3.0", Class: WeakCopyleft, Obligations: copyleft, Family: "lgpl", URL: spdx("LGPL-3.0-only")}},
	{Info: Info{ID: "lgpl-lr", Name: "Lesser General Public License For Linguistic Resources", Class: WeakCopyleft, Obligations: copyleft, Family: "lgpl-lr", URL: spdx("LGPLLR")}, aliases: []string{"lgpllr"}},
	{Info: Info{ID: "mpl-2.0", Name: "Mozilla Public License 2.0", Class: WeakCopyleft, Obligations: copyleft, Family: "mpl", URL: spdx("MPL-2.0")}},
	{Info: Info{ID: "epl-1.0", Name: "Eclipse Public License 1.0", Class: WeakCopyleft, Obligations: copyleft, Family: "epl", URL: spdx("EPL-1.0")}},
	{Info: Info{ID: "epl-2.0", Name: "Eclipse Public License 2.0", Class: WeakCopyleft, Obligations: copyleft, Family: "epl", URL: spdx("EPL-2.0")}},
	{Info: Info{ID: "ms-pl", Name: "Microsoft Public License", Class: WeakCopyleft, Obligations: copyleft, Family: "ms-pl", URL: spdx("MS-PL")}},
	{Info: Info{ID: "ofl-1.1", Name: "SIL Open Font License 1.1", Class: WeakCopyleft, Obligations: copyleft, Family: "ofl", URL: spdx("OFL-1.1")}},
	{Info: Info{ID: "cdla-sharing-1.0", Name: "Community Data License Agreement Sharing 1.0", Class: WeakCopyleft, Obligations: copyleft, Family: "cdla", URL: spdx("CDLA-Sharing-1.0")}},
	{Info: Info{ID: "odbl", Name: "Open Data Commons Open Database License v1.0", Class: WeakCopyleft, Obligations: copyleft, Family: "odc", URL: spdx("ODbL-1.0")}, aliases: []string{"odbl-1.0"}},

	// Copyleft.
	{Info: Info{ID: "gpl", Name: "GNU General Public License (unspecified version)", Class: Copyleft, Obligations: copyleft, Family: "gpl", URL: "https://www.gnu.org/licenses/gpl-3.0.html"}},
	{Info: Info{ID: "gpl-2.0", Name: "GNU General Public License v2.0", Class: Copyleft, Obligations: copyleft, Family: "gpl", URL: spdx("GPL-2.0-only")}, aliases: []string{"gplv2", "gpl2"}},
	{Info: Info{ID: "gpl-3.0", Name: "GNU General Public License v3.0", Class: Copyleft, Obligations: copyleft, Family: "gpl", URL: spdx("GPL-3.0-only")}, aliases: []string{"gplv3", "gpl3"}},
	{Info: Info{ID: "agpl-3.0", Name: "GNU Affero General Public License v3.0", Class: Copyleft, Obligations: copyleft, Family: "agpl", URL: spdx("AGPL-3.0-only")}, aliases: []string{"agplv3", "agpl"}},
	{Info: Info{ID: "gfdl", Name: "GNU Free Documentation License", Class: Copyleft, Obligations: copyleft, Family: "gfdl", URL: "https://www.gnu.org/licenses/fdl-1.3.html"}, aliases: []string{"gfdl-1.3", "gfdl-1.2", "gfdl-1.1", "fdl"}},
	{Info: Info{ID: "eupl-1.1", Name: "European Union Public License 1.1", Class: Copyleft, Obligations: copyleft, Family: "eupl", URL: spdx("EUPL-1.1")}},
	{Info: Info{ID: "eupl-1.2", Name: "European Union Public License 1.2", Class: Copyleft, Obligations: copyleft, Family: "eupl", URL: spdx("EUPL-1.2")}},
	{Info: Info{ID: "osl-3.0", Name: "Open Software License 3.0", Class: Copyleft, Obligations: copyleft, Family: "osl", URL: spdx("OSL-3.0")}},
	{Info: Info{ID: "cc-by-sa-3.0", Name: "Creative Commons Attribution Share Alike 3.0 Unported", Class: Copyleft, Obligations: copyleft, Family: "cc", URL: spdx("CC-BY-SA-3.0")}},
	{Info: Info{ID: "cc-by-sa-4.0", Name: "Creative Commons Attribution Share Alike 4.0 International", Class: Copyleft, Obligations: copyleft, Family: "cc", URL: spdx("CC-BY-SA-4.0")}},

	// Open weights (or data) under bespoke terms that travel with the work.
	{Info: Info{ID: "llama2", Name: "Llama 2 Community License Agreement", Class: Restricted, Obligations: obs(ObligationAttribution, ObligationAcceptableUse, ObligationUserCap, ObligationFieldOfUse, ObligationPassOn), UserCap: llamaCap, UserCapUnit: MonthlyActiveUsers, Family: "llama", URL: "https://ai.meta.com/llama/license/"}, aliases: []string{"llama-2-community"}},
	{Info: Info{ID: "llama3", Name: "Meta Llama 3 Community License Agreement", Class: Restricted, Obligations: obs(ObligationAttribution, ObligationNaming, ObligationAcceptableUse, ObligationUserCap, ObligationFieldOfUse, ObligationPassOn), UserCap: llamaCap, UserCapUnit: MonthlyActiveUsers, NamingNotice: "Built with Meta Llama 3", Family: "llama", URL: "https://llama.meta.com/llama3/license/"}, aliases: []string{"meta-llama-3"}},
	{Info: Info{ID: "llama3.1", Name: "Llama 3.1 Community License Agreement", Class: Restricted, Obligations: llama31up, UserCap: llamaCap, UserCapUnit: MonthlyActiveUsers, NamingNotice: "Built with Llama", Family: "llama", URL: "https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/LICENSE"}, aliases: []string{"llama31", "meta-llama-3.1"}},
	{Info: Info{ID: "llama3.2", Name: "Llama 3.2 Community License Agreement", Class: Restricted, Obligations: llama31up, UserCap: llamaCap, UserCapUnit: MonthlyActiveUsers, NamingNotice: "Built with Llama", Family: "llama", URL: "https://github.com/meta-llama/llama-models/blob/main/models/llama3_2/LICENSE"}, aliases: []string{"llama32", "meta-llama-3.2"}},
	{Info: Info{ID: "llama3.3", Name: "Llama 3.3 Community License Agreement", Class: Restricted, Obligations: llama31up, UserCap: llamaCap, UserCapUnit: MonthlyActiveUsers, NamingNotice: "Built with Llama", Family: "llama", URL: "https://github.com/meta-llama/llama-models/blob/main/models/llama3_3/LICENSE"}, aliases: []string{"llama33", "meta-llama-3.3"}},
	{Info: Info{ID: "llama4", Name: "Llama 4 Community License Agreement", Class: Restricted, Obligations: llama31up, UserCap: llamaCap, UserCapUnit: MonthlyActiveUsers, NamingNotice: "Built with Llama", Family: "llama", URL: "https://github.com/meta-llama/llama-models/blob/main/models/llama4/LICENSE"}, aliases: []string{"meta-llama-4"}},
	{Info: Info{ID: "gemma", Name: "Gemma Terms of Use", Class: Restricted, Obligations: obs(ObligationAttribution, ObligationAcceptableUse, ObligationPassOn), Family: "gemma", URL: "https://ai.google.dev/gemma/terms"}, aliases: []string{"gemma-terms", "google-gemma"}},
	{Info: Info{ID: "openrail", Name: "Open RAIL License (unspecified variant)", Class: Restricted, Obligations: openRAIL, Family: "openrail", URL: "https://www.licenses.ai/"}, aliases: []string{"open-rail", "rail"}},
	{Info: Info{ID: "openrail++", Name: "CreativeML Open RAIL++-M License", Class: Restricted, Obligations: openRAIL, Family: "openrail", URL: "https://huggingface.co/stabilityai/stable-diffusion-2/blob/main/LICENSE-MODEL"}, aliases: []string{"openrail++-m", "open-rail++-m", "creativeml-openrail++-m"}},
	{Info: Info{ID: "creativeml-openrail-m", Name: "CreativeML Open RAIL-M License", Class: Restricted, Obligations: openRAIL, Family: "openrail", URL: "https://huggingface.co/spaces/CompVis/stable-diffusion-license"}, aliases: []string{"creativeml-open-rail-m", "openrail-m"}},
	{Info: Info{ID: "bigscience-openrail-m", Name: "BigScience Open RAIL-M License", Class: Restricted, Obligations: openRAIL, Family: "openrail", URL: "https://www.licenses.ai/blog/2022/8/26/bigscience-open-rail-m-license"}, aliases: []string{"bigscience-open-rail-m"}},
	{Info: Info{ID: "bigscience-bloom-rail-1.0", Name: "BigScience BLOOM RAIL License v1.0", Class: Restricted, Obligations: openRAIL, Family: "openrail", URL: "https://huggingface.co/spaces/bigscience/license"}, aliases: []string{"bloom-rail-1.0", "bigscience-rail-1.0", "rail-license-v1.0", "bigscience-rail-license-v1.0"}},
	{Info: Info{ID: "bigcode-openrail-m", Name: "BigCode Open RAIL-M v1 License Agreement", Class: Restricted, Obligations: openRAIL, Family: "openrail", URL: "https://www.bigcode-project.org/docs/pages/bigcode-openrail/"}, aliases: []string{"bigcode-open-rail-m", "bigcode-openrail-m-v1"}},
	{Info: Info{ID: "tongyi-qianwen", Name: "Tongyi Qianwen License Agreement", Class: Restricted, Obligations: obs(ObligationAttribution, ObligationUserCap, ObligationFieldOfUse, ObligationPassOn), UserCap: qwenCap, UserCapUnit: MonthlyActiveUsers, Family: "qwen", URL: "https://github.com/QwenLM/Qwen/blob/main/Tongyi%20Qianwen%20LICENSE%20AGREEMENT"}, aliases: []string{"tongyi-qianwen-license", "tongyi-qianwen-license-agreement"}},
	{Info: Info{ID: "qwen", Name: "Qwen License Agreement", Class: Restricted, Obligations: obs(ObligationAttribution, ObligationNaming, ObligationUserCap, ObligationPassOn), UserCap: qwenCap, UserCapUnit: MonthlyActiveUsers, NamingNotice: "Built with Qwen", Family: "qwen", URL: "https://huggingface.co/Qwen/Qwen2.5-72B-Instruct/blob/main/LICENSE"}, aliases: []string{"qwen-license", "qwen-license-agreement"}},
	{Info: Info{ID: "deepseek", Name: "DeepSeek License Agreement", Class: Restricted, Obligations: openRAIL, Family: "deepseek", URL: "https://github.com/deepseek-ai/DeepSeek-LLM/blob/main/LICENSE-MODEL"}, aliases: []string{"deepseek-license", "deepseek-model-license"}},
	{Info: Info{ID: "yi-license", Name: "Yi Series Models Community License Agreement", Class: Restricted, Obligations: obs(ObligationAttribution, ObligationAcceptableUse, ObligationPassOn), Family: "yi", URL: "https://github.com/01-ai/Yi/blob/main/MODEL_LICENSE_AGREEMENT.txt"}, aliases: []string{"yi", "yi-series-models", "yi-model-license"}},
	{Info: Info{ID: "glm-4", Name: "GLM-4 Model License", Class: Restricted, Obligations: obs(ObligationAttribution, ObligationFieldOfUse, ObligationPassOn), Family: "glm", URL: "https://huggingface.co/THUDM/glm-4-9b/blob/main/LICENSE"}, aliases: []string{"glm4", "glm-4-9b", "glm-4-license"}},
	{Info: Info{ID: "chatglm", Name: "ChatGLM Model License", Class: Restricted, Obligations: obs(ObligationAttribution, ObligationFieldOfUse, ObligationPassOn), Family: "glm", URL: "https://github.com/THUDM/ChatGLM3/blob/main/MODEL_LICENSE"}, aliases: []string{"chatglm-6b", "chatglm2-6b", "chatglm3-6b", "chatglm-license"}},
	{Info: Info{ID: "cogvlm2", Name: "CogVLM2 License", Class: Restricted, Obligations: obs(ObligationAttribution, ObligationFieldOfUse, ObligationPassOn), Family: "cogvlm", URL: "https://huggingface.co/THUDM/cogvlm2-llama3-chat-19B/blob/main/LICENSE"}, aliases: []string{"cogvlm2-license", "cogvlm"}},
	{Info: Info{ID: "cogvideox-license", Name: "CogVideoX License", Class: Restricted, Obligations: obs(ObligationAttribution, ObligationFieldOfUse, ObligationPassOn), Family: "cogvideox", URL: "https://huggingface.co/THUDM/CogVideoX-5b/blob/main/LICENSE"}, aliases: []string{"cogvideox"}},
	{Info: Info{ID: "internlm", Name: "InternLM Model License", Class: Restricted, Obligations: obs(ObligationAttribution, ObligationPassOn), Family: "internlm"}, aliases: []string{"internlm-license"}},
	{Info: Info{ID: "baichuan", Name: "Baichuan 2 Community License", Class: Restricted, Obligations: obs(ObligationAttribution, ObligationUserCap, ObligationFieldOfUse, ObligationPassOn), UserCap: 1_000_000, UserCapUnit: DailyActiveUsers, Family: "baichuan", URL: "https://huggingface.co/baichuan-inc/Baichuan2-7B-Base/blob/main/Community%20License%20for%20Baichuan2%20Model.pdf"}, aliases: []string{"baichuan2", "baichuan2-community", "baichuan-community", "community-license-for-baichuan2-model", "baichuan-7b"}},
	{Info: Info{ID: "falcon-llm-license", Name: "TII Falcon License", Class: Restricted, Obligations: obs(ObligationAttribution, ObligationAcceptableUse, ObligationPassOn), Family: "falcon", URL: "https://falconllm.tii.ae/falcon-terms-and-conditions.html"}, aliases: []string{"tii-falcon-license", "tii-falcon-llm-license", "falcon-llm", "falcon-license", "falcon-2-11b-tii-license", "falcon"}},
	{Info: Info{ID: "falcon-180b-license", Name: "Falcon 180B TII License", Class: Restricted, Obligations: obs(ObligationAttribution, ObligationAcceptableUse, ObligationFieldOfUse, ObligationPassOn), Family: "falcon", URL: "https://huggingface.co/spaces/tiiuae/falcon-180b-license/blob/main/LICENSE.txt"}, aliases: []string{"falcon-180b-tii-license", "falcon-180b"}},
	{Info: Info{ID: "stabilityai-ai-community", Name: "Stability AI Community License Agreement", Class: Restricted, Obligations: obs(ObligationAttribution, ObligationNaming, ObligationAcceptableUse, ObligationUserCap, ObligationPassOn), UserCap: 1_000_000, UserCapUnit: AnnualRevenueUSD, NamingNotice: "Powered by Stability AI", Family: "stability", URL: "https://stability.ai/community-license-agreement"}, aliases: []string{"stability-ai-community", "stabilityai-community", "stability-community", "stable-video-diffusion-community", "stable-diffusion-3-community", "stability-ai-community-license"}},
	{Info: Info{ID: "nvidia-open-model-license", Name: "NVIDIA Open Model License Agreement", Class: Restricted, Obligations: obs(ObligationAttribution, ObligationPassOn), Family: "nvidia-open-model", URL: "https://developer.download.nvidia.com/licenses/nvidia-open-model-license-agreement-june-2024.pdf"}, aliases: []string{"nvidia-open-model", "nvidia-oml"}},
	{Info: Info{ID: "hyperclovax", Name: "HyperCLOVA X SEED Model License Agreement", Class: Restricted, Obligations: obs(ObligationAttribution, ObligationAcceptableUse, ObligationPassOn), Family: "hyperclovax"}, aliases: []string{"hyperclovax-seed", "hyperclova-x-seed", "hyperclova-x"}},
	{Info: Info{ID: "kanana", Name: "Kanana License Agreement", Class: Restricted, Obligations: obs(ObligationAttribution, ObligationAcceptableUse, ObligationPassOn), Family: "kanana"}, aliases: []string{"kanana-license"}},
	{Info: Info{ID: "jamba-open-model-license", Name: "Jamba Open Model License Agreement", Class: Restricted, Obligations: obs(ObligationAttribution, ObligationAcceptableUse, ObligationUserCap, ObligationPassOn), UserCap: 50_000_000, UserCapUnit: AnnualRevenueUSD, Family: "jamba", URL: "https://www.ai21.com/jamba-open-model-license/"}, aliases: []string{"jamba-open-model", "jamba"}},
	{Info: Info{ID: "ai2-impact", Name: "AI2 ImpACT License", Class: Restricted, Obligations: openRAIL, Family: "ai2-impact", URL: "https://allenai.org/licenses/impact-lr"}, aliases: []string{"ai2-impact-license", "ai2-impact-license-low-risk", "ai2-impact-lr", "impact-lr"}},
	{Info: Info{ID: "c-uda", Name: "Computational Use of Data Agreement", Class: Restricted, Obligations: obs(ObligationAttribution, ObligationFieldOfUse, ObligationPassOn), Family: "c-uda", URL: spdx("C-UDA-1.0")}, aliases: []string{"c-uda-1.0"}},
	{Info: Info{ID: "cc-by-nd-4.0", Name: "Creative Commons Attribution No Derivatives 4.0 International", Class: Restricted, Obligations: obs(ObligationAttribution, ObligationNoDerivatives), Family: "cc", URL: spdx("CC-BY-ND-4.0")}},

	// Non-commercial.
	{Info: Info{ID: "cc-by-nc-2.0", Name: "Creative Commons Attribution Non Commercial 2.0 Generic", Class: NonCommercial, Obligations: obs(ObligationAttribution, ObligationNonCommercial), Family: "cc", URL: spdx("CC-BY-NC-2.0")}},
	{Info: Info{ID: "cc-by-nc-3.0", Name: "Creative Commons Attribution Non Commercial 3.0 Unported", Class: NonCommercial, Obligations: obs(ObligationAttribution, ObligationNonCommercial), Family: "cc", URL: spdx("CC-BY-NC-3.0")}},
	{Info: Info{ID: "cc-by-nc-4.0", Name: "Creative Commons Attribution Non Commercial 4.0 International", Class: NonCommercial, Obligations: obs(ObligationAttribution, ObligationNonCommercial), Family: "cc", URL: spdx("CC-BY-NC-4.0")}},
	{Info: Info{ID: "cc-by-nc-sa-2.0", Name: "Creative Commons Attribution Non Commercial Share Alike 2.0 Generic", Class: NonCommercial, Obligations: obs(ObligationAttribution, ObligationShareAlike, ObligationPassOn, ObligationNonCommercial), Family: "cc", URL: spdx("CC-BY-NC-SA-2.0")}},
	{Info: Info{ID: "cc-by-nc-sa-3.0", Name: "Creative Commons Attribution Non Commercial Share Alike 3.0 Unported", Class: NonCommercial, Obligations: obs(ObligationAttribution, ObligationShareAlike, ObligationPassOn, ObligationNonCommercial), Family: "cc", URL: spdx("CC-BY-NC-SA-3.0")}},
	{Info: Info{ID: "cc-by-nc-sa-4.0", Name: "Creative Commons Attribution Non Commercial Share Alike 4.0 International", Class: NonCommercial, Obligations: obs(ObligationAttribution, ObligationShareAlike, ObligationPassOn, ObligationNonCommercial), Family: "cc", URL: spdx("CC-BY-NC-SA-4.0")}},
	{Info: Info{ID: "cc-by-nc-nd-3.0", Name: "Creative Commons Attribution Non Commercial No Derivatives 3.0 Unported", Class: NonCommercial, Obligations: obs(ObligationAttribution, ObligationNonCommercial, ObligationNoDerivatives), Family: "cc", URL: spdx("CC-BY-NC-ND-3.0")}},
	{Info: Info{ID: "cc-by-nc-nd-4.0", Name: "Creative Commons Attribution Non Commercial No Derivatives 4.0 International", Class: NonCommercial, Obligations: obs(ObligationAttribution, ObligationNonCommercial, ObligationNoDerivatives), Family: "cc", URL: spdx("CC-BY-NC-ND-4.0")}},
	{Info: Info{ID: "mnpl", Name: "Mistral AI Non-Production License", Class: NonCommercial, Obligations: obs(ObligationAttribution, ObligationPassOn, ObligationNonCommercial), Family: "mistral", URL: "https://mistral.ai/licenses/MNPL-0.1.md"}, aliases: []string{"mistral-ai-non-production-license", "mistral-non-production-license", "mnpl-0.1"}},
	{Info: Info{ID: "stabilityai-nc-research-community", Name: "Stability AI Non-Commercial Research Community License Agreement", Class: NonCommercial, Obligations: obs(ObligationAttribution, ObligationAcceptableUse, ObligationPassOn, ObligationNonCommercial), Family: "stability"}, aliases: []string{"stable-diffusion-3-non-commercial-research", "stabilityai-non-commercial-research-community", "stable-video-diffusion-nc-community", "stability-ai-non-commercial-research-community", "stable-diffusion-3-community-non-commercial", "sai-nc-community", "stabilityai-nc-community"}},
	{Info: Info{ID: "exaone", Name: "EXAONE AI Model License Agreement (NC)", Class: NonCommercial, Obligations: obs(ObligationAttribution, ObligationPassOn, ObligationNonCommercial), Family: "exaone"}, aliases: []string{"exaone-ai-model-license", "exaone-license"}},

	// Research only.
	{Info: Info{ID: "deepfloyd-if-license", Name: "DeepFloyd IF License Agreement", Class: ResearchOnly, Obligations: obs(ObligationAttribution, ObligationFieldOfUse, ObligationPassOn, ObligationNonCommercial, ObligationResearchOnly), Family: "deepfloyd", URL: "https://huggingface.co/spaces/DeepFloyd/deepfloyd-if-license"}, aliases: []string{"deepfloyd-if"}},
	{Info: Info{ID: "fair-noncommercial-research-license", Name: "FAIR Noncommercial Research License", Class: ResearchOnly, Obligations: obs(ObligationAttribution, ObligationAcceptableUse, ObligationPassOn, ObligationNonCommercial, ObligationResearchOnly), Family: "fair", URL: "https://huggingface.co/facebook/fair-noncommercial-research-license"}, aliases: []string{"fair-noncommercial-research", "fair-nc"}},
	{Info: Info{ID: "llama1", Name: "LLaMA Model License Agreement (non-commercial research)", Class: ResearchOnly, Obligations: research, Family: "llama1", URL: "https://github.com/facebookresearch/llama/blob/llama_v1/LICENSE"}, aliases: []string{"llama-1", "llama-research", "llama-license", "llama-model-license", "llama1-license"}},
	{Info: Info{ID: "opt-175b", Name: "OPT-175B License Agreement", Class: ResearchOnly, Obligations: research, Family: "opt", URL: "https://github.com/facebookresearch/metaseq/blob/main/projects/OPT/MODEL_LICENSE.md"}, aliases: []string{"opt-175b-license", "opt-license"}},
	{Info: Info{ID: "h-research", Name: "H Company Research License", Class: ResearchOnly, Obligations: research, Family: "h-research"}},
	{Info: Info{ID: "intel-research", Name: "Intel Research Use License Agreement", Class: ResearchOnly, Obligations: research, Family: "intel-research"}, aliases: []string{"intel-research-use", "intel-research-use-license"}},
	{Info: Info{ID: "apple-amlr", Name: "Apple Machine Learning Research Model License", Class: ResearchOnly, Obligations: research, Family: "apple-amlr"}, aliases: []string{"apple-machine-learning-research-model", "amlr"}},
	{Info: Info{ID: "microsoft-research-license", Name: "Microsoft Research License Terms", Class: ResearchOnly, Obligations: research, Family: "microsoft-research"}, aliases: []string{"msr-la", "microsoft-research", "msrla"}},
	{Info: Info{ID: "qwen-research", Name: "Qwen Research License Agreement", Class: ResearchOnly, Obligations: obs(ObligationAttribution, ObligationNaming, ObligationPassOn, ObligationNonCommercial, ObligationResearchOnly), NamingNotice: "Built with Qwen", Family: "qwen", URL: "https://huggingface.co/Qwen/Qwen2.5-3B-Instruct/blob/main/LICENSE"}, aliases: []string{"qwen-research-license", "qwen-research-license-agreement"}},
	{Info: Info{ID: "mrl", Name: "Mistral AI Research License", Class: ResearchOnly, Obligations: research, Family: "mistral", URL: "https://mistral.ai/licenses/MRL-0.1.md"}, aliases: []string{"mistral-ai-research-license", "mistral-research-license", "mrl-0.1"}},
	{Info: Info{ID: "nvidia-source-code-license", Name: "NVIDIA Source Code License (non-commercial)", Class: ResearchOnly, Obligations: research, Family: "nvidia-nc", URL: "https://nvlabs.github.io/stylegan2/license.html"}, aliases: []string{"nvidia-license", "nsclv1", "nvidia-source-code", "nvidia-non-commercial"}},

	// Proprietary.
	{Info: Info{ID: "proprietary", Name: "Proprietary (all rights reserved)", Class: Proprietary, Obligations: obs(ObligationNonCommercial, ObligationNoDerivatives), Family: "proprietary"}, aliases: []string{"private", "all-rights-reserved", "closed", "commercial-license"}},

	// Families without a version: the Hub accepts the bare name.
	{Info: Info{ID: "cc", Name: "Creative Commons (unspecified license)", Class: Unknown, Family: "cc", URL: "https://creativecommons.org/licenses/"}, aliases: []string{"creative-commons"}},
}

// compatible lists, for an ancestor license, the other licenses a
// derivative may use while keeping every one of the ancestor's terms: later
// versions the ancestor allows, licenses it names as compatible, and stricter
// variants within a family. The GPL entries assume the "or later" option
// that the Hub's version-only ids do not record.
var compatible = map[string][]string{
	"lgpl":            {"lgpl-2.1", "lgpl-3.0", "gpl", "gpl-2.0", "gpl-3.0", "agpl-3.0"},
	"lgpl-2.1":        {"lgpl", "lgpl-3.0", "gpl", "gpl-2.0", "gpl-3.0", "agpl-3.0"},
	"lgpl-3.0":        {"lgpl", "gpl", "gpl-3.0", "agpl-3.0"},
	"gpl":             {"gpl-2.0", "gpl-3.0", "agpl-3.0"},
	"gpl-2.0":         {"gpl", "gpl-3.0", "agpl-3.0"},
	"gpl-3.0":         {"gpl", "agpl-3.0"},
	"mpl-2.0":         {"lgpl", "lgpl-2.1", "lgpl-3.0", "gpl", "gpl-2.0", "gpl-3.0", "agpl-3.0"},
	"epl-1.0":         {"epl-2.0"},
	"eupl-1.1":        {"eupl-1.2", "gpl-2.0", "osl-3.0", "epl-1.0"},
	"eupl-1.2":        {"gpl-2.0", "gpl-3.0", "agpl-3.0", "lgpl-2.1", "lgpl-3.0", "mpl-2.0", "epl-1.0", "osl-3.0", "cc-by-sa-3.0"},
	"cc-by-sa-3.0":    {"cc-by-sa-4.0"},
	"cc-by-sa-4.0":    {"gpl-3.0"},
	"cc-by-nc-sa-2.0": {"cc-by-nc-sa-3.0", "cc-by-nc-sa-4.0"},
	"cc-by-nc-sa-3.0": {"cc-by-nc-sa-4.0"},
}

// interchangeable are the families whose licenses let a derivative use any
// member of the family, provided the use restrictions are kept: every Open
// RAIL license requires passing its use restrictions on, not its text.
var interchangeable = map[string]bool{"openrail": true}

// linkTable maps fragments of license_link URLs to license ids. The first
// row whose fragments are all contained in the lower-cased link wins, so more
// specific rows come first.
var linkTable = []struct {
	fragments []string
	id        string
}{
	{[]string{"ai.google.dev/gemma"}, "gemma"},
	{[]string{"huggingface.co/google/gemma"}, "gemma"},
	{[]string{"llama3_1/license"}, "llama3.1"},
	{[]string{"llama3_2/license"}, "llama3.2"},
	{[]string{"llama3_3/license"}, "llama3.3"},
	{[]string{"llama4/license"}, "llama4"},
	{[]string{"llama3/license"}, "llama3"},
	{[]string{"llama2/license"}, "llama2"},
	{[]string{"ai.meta.com/llama/license"}, "llama2"},
	{[]string{"meta-llama/llama-2-"}, "llama2"},
	{[]string{"meta-llama/llama-3.1-"}, "llama3.1"},
	{[]string{"meta-llama/meta-llama-3.1-"}, "llama3.1"},
	{[]string{"meta-llama/llama-3.2-"}, "llama3.2"},
	{[]string{"meta-llama/llama-3.3-"}, "llama3.3"},
	{[]string{"meta-llama/llama-4-"}, "llama4"},
	{[]string{"meta-llama/meta-llama-3-"}, "llama3"},
	{[]string{"nvidia-open-model-license"}, "nvidia-open-model-license"},
	{[]string{"mistral.ai/licenses/mrl"}, "mrl"},
	{[]string{"mistral.ai/licences/mrl"}, "mrl"},
	{[]string{"mistral.ai/licenses/mnpl"}, "mnpl"},
	{[]string{"mistral.ai/licences/mnpl"}, "mnpl"},
	{[]string{"falconllm.tii.ae"}, "falcon-llm-license"},
	{[]string{"falcon-180b-license"}, "falcon-180b-license"},
	{[]string{"stability.ai/community-license"}, "stabilityai-ai-community"},
	{[]string{"stability.ai/license"}, "stabilityai-ai-community"},
	{[]string{"thudm/cogvideox"}, "cogvideox-license"},
	{[]string{"thudm/cogvlm2"}, "cogvlm2"},
	{[]string{"thudm/glm-4"}, "glm-4"},
	{[]string{"thudm/chatglm"}, "chatglm"},
	{[]string{"deepseek-ai/", "license-model"}, "deepseek"},
	{[]string{"licenses.ai/blog/2022/8/26/bigscience-open-rail-m"}, "bigscience-openrail-m"},
	{[]string{"bigscience/license"}, "bigscience-bloom-rail-1.0"},
	{[]string{"compvis/stable-diffusion-license"}, "creativeml-openrail-m"},
	{[]string{"bigcode-openrail"}, "bigcode-openrail-m"},
	{[]string{"deepfloyd-if-license"}, "deepfloyd-if-license"},
	{[]string{"fair-noncommercial-research-license"}, "fair-noncommercial-research-license"},
	{[]string{"allenai.org/licenses/impact"}, "ai2-impact"},
	{[]string{"apache.org/licenses/license-2.0"}, "apache-2.0"},
	{[]string{"gnu.org/licenses/agpl"}, "agpl-3.0"},
	{[]string{"gnu.org/licenses/lgpl-3.0"}, "lgpl-3.0"},
	{[]string{"gnu.org/licenses/old-licenses/lgpl-2.1"}, "lgpl-2.1"},
	{[]string{"gnu.org/licenses/gpl-3.0"}, "gpl-3.0"},
	{[]string{"gnu.org/licenses/old-licenses/gpl-2.0"}, "gpl-2.0"},
	{[]string{"mozilla.org/mpl/2.0"}, "mpl-2.0"},
}
