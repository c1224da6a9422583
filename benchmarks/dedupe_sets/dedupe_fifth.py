"""Fifth held-out benchmark for duplicate-customer detection (客户信息 查重).

Generates a labelled customer table the way a Chinese SME sales team fills it in
over several years: several staff members type the same customer again with
their own habits, contacts and numbers change, and many *different* customers
look alike.  Every row carries ``entity`` (the true customer); two rows are the
same customer iff their ``entity`` is equal.

Usage::

    /work/venv/bin/python benchmarks/dedupe_sets/dedupe_fifth.py [--records 170000] [--seed 41]

writes ``benchmarks/dedupe_sets/.cache/dedupe-fifth-{seed}-{records}.csv`` (UTF-8 with BOM)
with the columns 客户编号, 客户名称, 联系人姓名, 联系电话, 联系邮箱, 创建时间, entity and
prints records, entities, entities with >1 record and true pairs.
``make_fifth_set(n_records, seed)`` returns the same table as a DataFrame.

Data model
----------
Entity mix (share of entities, approximate):

* ~59 % ordinary companies in 58 mainland cities (real districts/counties and
  area codes): 字号 (2-3 brand characters) + 行业 (科技, 贸易, 建材, 五金, 物流, 食品,
  电子, 机械, 餐饮管理, 广告 … ~60 trades) + 组织形式 (有限公司, 有限责任公司,
  股份有限公司, and for small firms 商行, 经营部, 店, 厂, 工作室).  Registered names
  follow the real patterns 北京瑞丰科技有限公司, 瑞丰科技（北京）有限公司,
  北京市瑞丰…, 上海市浦东新区瑞丰…, 上海浦东瑞丰…, 瑞丰科技（浦东）有限公司.
* ~11 % look-alike families (hard negatives, every member its own customer with
  its own contacts): the same brand and trade in other cities; the same brand
  in the same city in another trade (瑞丰科技 vs 瑞丰物流); brands one character
  apart in the same city (瑞丰 vs 瑞峰, 宏达 vs 宏大); a head office and its
  分公司 in other cities (some branches list the head-office switchboard too);
  a 集团有限公司 and its subsidiaries sharing one switchboard (different
  extensions); a （香港）company next to its （深圳）/（广州）/（东莞）sister.
* ~5 % firms sharing contact details with differently named firms: clients of a
  代账/代理 agent (same contact person, mobile and e-mail for 3-8 firms, plus
  sometimes the agency itself as a customer) and small firms in one business
  centre sharing its switchboard.
* ~4.5 % franchise stores: brand + store (悦茶坊（万达广场店）); each store is its
  own customer with its own phone; store names such as 万达广场店 recur in
  several cities.  Some franchise brands also have their own company (e.g.
  …餐饮管理有限公司) on file.
* ~10 % 个体工商户 / owner-named shops (老王烧烤, 张记面馆, 李姐水果店 …); the same
  shop name exists in several cities (different owners/phones), unique per city.
* ~10 % private individuals (个人客户); ~30 % of them carry a very common name
  (张伟, 王芳, 李娜 …) that recurs across the table for different people.
* Contact persons are drawn so that ~4 % are very common names (王伟, 李娜 …)
  shared by unrelated firms.  Phones and e-mails are unique per customer except
  for the deliberate sharing above.

About 27 % of entities are entered 2-4 times (≈21 % twice, ≈5.4 % three times,
≈0.8 % four times), later entries dated days to years after the first.  Each
entry varies independently:

* name: exact copy; city form changed (北京… / …（北京）… / 北京市…); city dropped;
  district added/dropped/moved (上海浦东… / …（浦东）… / 上海市浦东新区…);
  有限公司 ⇄ 有限责任公司 (股份有限公司 → 股份公司/有限公司, 集团有限公司 → 集团公司);
  legal form dropped (北京瑞丰科技); brand + 公司 (瑞丰公司) and trade word dropped
  (北京瑞丰有限公司) — only when the brand is unique in its city; traditional
  characters (瑞豐科技); one mistyped brand/trade character (homophone or similar
  shape, at most one typo per group); English or pinyin name
  (Shenzhen Huatai Electronics Co., Ltd.; only when unambiguous); 个体工商户
  markers; half-/full-width brackets, full-width letters/digits, stray spaces.
* contact: full name, surname + title (王总, 李经理, 陈姐), name with a note
  (张伟（采购）, 张伟-财务), stray space, two names, blank (rare); the contact person
  may change between entries.
* phone: 13812345678, 138 1234 5678, 138-1234-5678, +86 138…, +8613812345678,
  landlines 0571-88886666 / (0571)88886666 / +86 571 8888 6666 / without area
  code, extensions (-802, 转802), two numbers in one cell ("13812345678/0571-…");
  +852 numbers for Hong Kong firms; a new number in later entries; missing in
  a few rows.
* e-mail: case and surrounding-space variations (rarely a full-width ＠), a new
  address later, frequently missing.

Labelling convention (the duplicates rule: judged as a person would): every pair of rows of one entity is
recognisable by a careful person from the two rows alone: the names are
equivalent under the variations above AND the rows share a phone number, an
e-mail address, or the same full contact-person name (the latter only when both
names are near-complete: no typo/English/abbreviation) — or both rows carry the
identical full registered name including its city (unique within the city's
registration authority), even if contact, phone and e-mail all differ.  Private
individuals are linked only by phone or e-mail (a bare 张伟 is not evidence).  A
switchboard/agent number or e-mail shared with other firms links two rows only
when both names are near-complete.
Different entities never share a full registered name in one city, never share
a phone/e-mail except for the designed switchboard/agent/branch cases, and
firms with similar names never share a contact person's full name; customers
whose name is also used by another customer (another city, a family, another
store of the same name) and rows with an abbreviated name never show the
contact as a bare surname + title (王总), so look-alikes cannot be told apart
only by accident.

Entity numbers are a random permutation (families are not adjacent) and rows
are shuffled.  客户编号 = CRM + 创建时间 date + 5-digit serial within that day;
创建时间 is a business-hours timestamp between 2020-01-01 and 2026-10-31.
"""
from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import numpy as np
import pandas as pd
import zhconv

# ---------------------------------------------------------------------------
# Reference tables (written for this benchmark)
# ---------------------------------------------------------------------------

# city | pinyin | area code | local digits | weight | districts/counties
_CITY_TABLE = """
北京|Beijing|010|8|14|东城区 西城区 朝阳区 海淀区 丰台区 石景山区 通州区 昌平区 大兴区 顺义区 房山区 门头沟区 怀柔区 平谷区 密云区 延庆区
上海|Shanghai|021|8|14|黄浦区 徐汇区 长宁区 静安区 普陀区 虹口区 杨浦区 浦东新区 闵行区 宝山区 嘉定区 金山区 松江区 青浦区 奉贤区 崇明区
天津|Tianjin|022|8|5|和平区 河东区 河西区 南开区 河北区 红桥区 东丽区 西青区 津南区 北辰区 武清区 宝坻区 滨海新区 宁河区 静海区 蓟州区
重庆|Chongqing|023|8|6|渝中区 江北区 南岸区 沙坪坝区 九龙坡区 大渡口区 渝北区 巴南区 北碚区 万州区 涪陵区 永川区 合川区 江津区
广州|Guangzhou|020|8|10|越秀区 海珠区 荔湾区 天河区 白云区 黄埔区 番禺区 花都区 南沙区 从化区 增城区
深圳|Shenzhen|0755|8|12|福田区 罗湖区 南山区 宝安区 龙岗区 盐田区 龙华区 坪山区 光明区
杭州|Hangzhou|0571|8|9|上城区 拱墅区 西湖区 滨江区 萧山区 余杭区 临平区 钱塘区 富阳区 临安区 桐庐县 淳安县 建德市
南京|Nanjing|025|8|6|玄武区 秦淮区 建邺区 鼓楼区 浦口区 栖霞区 雨花台区 江宁区 六合区 溧水区 高淳区
苏州|Suzhou|0512|8|7|姑苏区 虎丘区 吴中区 相城区 吴江区 常熟市 张家港市 昆山市 太仓市
成都|Chengdu|028|8|8|锦江区 青羊区 金牛区 武侯区 成华区 龙泉驿区 青白江区 新都区 温江区 双流区 郫都区 新津区 都江堰市 彭州市 崇州市 简阳市 金堂县 大邑县 蒲江县
武汉|Wuhan|027|8|6|江岸区 江汉区 硚口区 汉阳区 武昌区 青山区 洪山区 东西湖区 汉南区 蔡甸区 江夏区 黄陂区 新洲区
西安|Xian|029|8|5|新城区 碑林区 莲湖区 灞桥区 未央区 雁塔区 阎良区 临潼区 长安区 高陵区 鄠邑区 蓝田县 周至县
郑州|Zhengzhou|0371|8|5|中原区 二七区 管城回族区 金水区 上街区 惠济区 中牟县 巩义市 荥阳市 新密市 新郑市 登封市
长沙|Changsha|0731|8|5|芙蓉区 天心区 岳麓区 开福区 雨花区 望城区 长沙县 浏阳市 宁乡市
宁波|Ningbo|0574|8|5|海曙区 江北区 北仑区 镇海区 鄞州区 奉化区 余姚市 慈溪市 象山县 宁海县
温州|Wenzhou|0577|8|4|鹿城区 龙湾区 瓯海区 洞头区 瑞安市 乐清市 龙港市 永嘉县 平阳县 苍南县 文成县 泰顺县
金华|Jinhua|0579|8|3|婺城区 金东区 义乌市 东阳市 永康市 兰溪市 武义县 浦江县 磐安县
东莞|Dongguan|0769|8|5|莞城街道 南城街道 东城街道 万江街道 石龙镇 虎门镇 长安镇 厚街镇 常平镇 塘厦镇 樟木头镇 凤岗镇 大朗镇 寮步镇
佛山|Foshan|0757|8|5|禅城区 南海区 顺德区 三水区 高明区
厦门|Xiamen|0592|7|4|思明区 湖里区 集美区 海沧区 同安区 翔安区
福州|Fuzhou|0591|8|4|鼓楼区 台江区 仓山区 晋安区 马尾区 长乐区 福清市 闽侯县 连江县 罗源县 闽清县 永泰县
泉州|Quanzhou|0595|8|3|鲤城区 丰泽区 洛江区 泉港区 石狮市 晋江市 南安市 惠安县 安溪县 永春县 德化县
济南|Jinan|0531|8|4|历下区 市中区 槐荫区 天桥区 历城区 长清区 章丘区 济阳区 莱芜区 钢城区 平阴县 商河县
青岛|Qingdao|0532|8|4|市南区 市北区 黄岛区 崂山区 李沧区 城阳区 即墨区 胶州市 平度市 莱西市
沈阳|Shenyang|024|8|3|和平区 沈河区 大东区 皇姑区 铁西区 苏家屯区 浑南区 沈北新区 于洪区 辽中区 康平县 法库县 新民市
大连|Dalian|0411|8|3|中山区 西岗区 沙河口区 甘井子区 旅顺口区 金州区 普兰店区 瓦房店市 庄河市 长海县
哈尔滨|Haerbin|0451|8|3|道里区 南岗区 道外区 平房区 松北区 香坊区 呼兰区 阿城区 双城区
长春|Changchun|0431|8|2|南关区 宽城区 朝阳区 二道区 绿园区 双阳区 九台区
石家庄|Shijiazhuang|0311|8|3|长安区 桥西区 新华区 井陉矿区 裕华区 藁城区 鹿泉区 栾城区 正定县 辛集市 晋州市 新乐市
太原|Taiyuan|0351|7|2|小店区 迎泽区 杏花岭区 尖草坪区 万柏林区 晋源区 清徐县 阳曲县 娄烦县 古交市
合肥|Hefei|0551|8|4|瑶海区 庐阳区 蜀山区 包河区 肥东县 肥西县 长丰县 庐江县 巢湖市
南昌|Nanchang|0791|8|3|东湖区 西湖区 青云谱区 青山湖区 新建区 红谷滩区 南昌县 安义县 进贤县
昆明|Kunming|0871|8|3|五华区 盘龙区 官渡区 西山区 东川区 呈贡区 晋宁区 安宁市 富民县 宜良县
贵阳|Guiyang|0851|8|2|南明区 云岩区 花溪区 乌当区 白云区 观山湖区 清镇市 开阳县 息烽县 修文县
南宁|Nanning|0771|7|3|兴宁区 青秀区 江南区 西乡塘区 良庆区 邕宁区 武鸣区 横州市 宾阳县 上林县 马山县 隆安县
海口|Haikou|0898|8|1|秀英区 龙华区 琼山区 美兰区
兰州|Lanzhou|0931|7|1|城关区 七里河区 西固区 安宁区 红古区 永登县 皋兰县 榆中县
乌鲁木齐|Wulumuqi|0991|7|1|天山区 沙依巴克区 新市区 水磨沟区 头屯河区 达坂城区 米东区 乌鲁木齐县
呼和浩特|Huhehaote|0471|7|1|新城区 回民区 玉泉区 赛罕区 托克托县 和林格尔县 清水河县 武川县
无锡|Wuxi|0510|8|3|梁溪区 锡山区 惠山区 滨湖区 新吴区 江阴市 宜兴市
常州|Changzhou|0519|8|3|天宁区 钟楼区 新北区 武进区 金坛区 溧阳市
南通|Nantong|0513|8|2|崇川区 通州区 海门区 如皋市 启东市 海安市 如东县
徐州|Xuzhou|0516|8|2|鼓楼区 云龙区 贾汪区 泉山区 铜山区 丰县 沛县 睢宁县 新沂市 邳州市
绍兴|Shaoxing|0575|8|2|越城区 柯桥区 上虞区 诸暨市 嵊州市 新昌县
嘉兴|Jiaxing|0573|8|2|南湖区 秀洲区 嘉善县 海盐县 海宁市 平湖市 桐乡市
台州|Taizhou|0576|8|2|椒江区 黄岩区 路桥区 临海市 温岭市 玉环市 三门县 天台县 仙居县
中山|Zhongshan|0760|8|2|石岐街道 东区街道 西区街道 南区街道 五桂山街道 小榄镇 古镇镇 横栏镇 三乡镇 坦洲镇 南头镇 黄圃镇 东凤镇
珠海|Zhuhai|0756|7|2|香洲区 斗门区 金湾区
惠州|Huizhou|0752|7|2|惠城区 惠阳区 博罗县 惠东县 龙门县
洛阳|Luoyang|0379|8|1.5|老城区 西工区 瀍河回族区 涧西区 偃师区 孟津区 洛龙区 新安县 宜阳县 伊川县 栾川县
烟台|Yantai|0535|7|1.5|芝罘区 福山区 牟平区 莱山区 蓬莱区 龙口市 莱阳市 莱州市 招远市 栖霞市 海阳市
潍坊|Weifang|0536|7|1.5|潍城区 寒亭区 坊子区 奎文区 青州市 诸城市 寿光市 安丘市 高密市 昌邑市 临朐县 昌乐县
临沂|Linyi|0539|7|1.5|兰山区 罗庄区 河东区 沂南县 郯城县 沂水县 兰陵县 费县 平邑县 莒南县 蒙阴县 临沭县
保定|Baoding|0312|7|1.5|竞秀区 莲池区 满城区 清苑区 徐水区 涿州市 定州市 安国市 高碑店市 涞水县 易县
唐山|Tangshan|0315|7|1.5|路南区 路北区 古冶区 开平区 丰南区 丰润区 曹妃甸区 滦州市 遵化市 迁安市 乐亭县 迁西县 玉田县
银川|Yinchuan|0951|7|0.5|兴庆区 金凤区 西夏区 永宁县 贺兰县 灵武市
西宁|Xining|0971|7|0.5|城东区 城中区 城西区 城北区 湟中区 湟源县
拉萨|Lasa|0891|7|0.3|城关区 堆龙德庆区 达孜区 林周县 当雄县 尼木县 曲水县 墨竹工卡县
"""

# trade | English | pinyin | group | allowed small forms (S 商行/经营部/店, W 工作室, F 厂) | weight
_TRADE_TABLE = """
科技|Technology|Keji|tech|W|6
信息技术|Information Technology|Xinxi Jishu|tech||3
网络科技|Network Technology|Wangluo Keji|tech|W|3
软件|Software|Ruanjian|tech|W|1.5
智能科技|Intelligent Technology|Zhineng Keji|tech||2
电子|Electronics|Dianzi|elec|SF|4
电气|Electric|Dianqi|elec|S|2
光电|Optoelectronics|Guangdian|elec|F|1
通信|Communication|Tongxin|elec||1
照明|Lighting|Zhaoming|elec|SF|1
自动化|Automation|Zidonghua|mach||1.5
机械|Machinery|Jixie|mach|F|3
机械设备|Machinery Equipment|Jixie Shebei|mach|S|2
精密模具|Precision Mould|Jingmi Muju|mach|F|1
五金|Hardware|Wujin|hw|SF|4
五金机电|Hardware and Electromechanical|Wujin Jidian|hw|S|1.5
建材|Building Materials|Jiancai|build|S|4
装饰工程|Decoration Engineering|Zhuangshi Gongcheng|build||3
建筑工程|Construction Engineering|Jianzhu Gongcheng|build||2
家具|Furniture|Jiaju|home|SF|2
家居用品|Home Furnishing|Jiaju Yongpin|home|S|1
贸易|Trading|Maoyi|trade|S|6
商贸|Commerce and Trade|Shangmao|trade|S|5
进出口|Import and Export|Jinchukou|trade||2
日用品|Daily Necessities|Riyongpin|trade|S|1
物流|Logistics|Wuliu|logi||4
供应链管理|Supply Chain Management|Gongyinglian Guanli|logi||2
货运代理|Freight Forwarding|Huoyun Daili|logi||1
食品|Food|Shipin|food|SF|4
餐饮管理|Catering Management|Canyin Guanli|food||3
茶业|Tea|Chaye|food|S|1
酒业|Liquor|Jiuye|food|S|1
水产|Aquatic Products|Shuichan|food|S|1
果蔬|Fruit and Vegetable|Guoshu|food|S|1
广告|Advertising|Guanggao|media|SW|4
文化传媒|Culture and Media|Wenhua Chuanmei|media|W|3
印刷|Printing|Yinshua|media|SF|2
会展服务|Exhibition Services|Huizhan Fuwu|media||1
设计|Design|Sheji|media|W|1.5
服饰|Apparel|Fushi|tex|S|2
纺织|Textile|Fangzhi|tex|F|1.5
化工|Chemical|Huagong|chem|S|2
新材料|New Materials|Xin Cailiao|chem||1.5
塑胶制品|Plastic Products|Sujiao Zhipin|chem|F|1
包装|Packaging|Baozhuang|chem|SF|2
医疗器械|Medical Devices|Yiliao Qixie|med||2
生物科技|Biotechnology|Shengwu Keji|med||1.5
环保科技|Environmental Technology|Huanbao Keji|env||2
节能|Energy Saving|Jieneng|env||1
汽车配件|Auto Parts|Qiche Peijian|auto|S|2
汽车服务|Auto Services|Qiche Fuwu|auto|S|1.5
教育咨询|Education Consulting|Jiaoyu Zixun|svc|W|2
企业管理咨询|Business Management Consulting|Qiye Guanli Zixun|svc||2
人力资源|Human Resources|Renli Ziyuan|svc||1.5
物业管理|Property Management|Wuye Guanli|svc||1.5
房地产经纪|Real Estate Brokerage|Fangdichan Jingji|svc||1
实业|Industrial|Shiye|ind||2
农业开发|Agricultural Development|Nongye Kaifa|agri||1
"""

# brand (字号) characters with pinyin
_BRAND_CHARS = (
    "瑞rui 丰feng 华hua 泰tai 宏hong 达da 鑫xin 源yuan 盛sheng 昌chang 辉hui 祥xiang 利li 通tong "
    "信xin 隆long 海hai 恒heng 远yuan 创chuang 新xin 锦jin 博bo 润run 嘉jia 凯kai 腾teng 飞fei "
    "明ming 德de 正zheng 安an 康kang 永yong 佳jia 和he 亿yi 诚cheng 益yi 金jin 鼎ding 汇hui 联lian "
    "众zhong 兴xing 旺wang 福fu 顺shun 宝bao 天tian 中zhong 东dong 南nan 广guang 晨chen 星xing "
    "光guang 耀yao 阳yang 峰feng 威wei 卓zhuo 越yue 优you 尚shang 雅ya 美mei 蓝lan 青qing 云yun "
    "宇yu 晟sheng 煜yu 昊hao 森sen 林lin 禾he 川chuan 江jiang 泓hong 浩hao 瀚han 澜lan 启qi "
    "航hang 帆fan 驰chi 麒qi 麟lin 龙long 凤feng 鹏peng 翔xiang 鸿hong 俊jun 英ying 豪hao 杰jie "
    "智zhi 慧hui 聚ju 合he 力li 成cheng 立li 元yuan 方fang 品pin 匠jiang 艺yi 乐le 欣xin 悦yue "
    "万wan 千qian 百bai 一yi 九jiu 宸chen 璟jing 琪qi 钧jun 铭ming 锐rui 拓tuo 展zhan 迈mai 捷jie "
    "迅xun 骏jun 峻jun 志zhi 本ben 圣sheng 同tong 大da 长chang 久jiu 泽ze 策ce 赛sai 奥ao 诺nuo "
    "维wei 弘hong 茂mao 荣rong 乾qian 坤kun 瑾jin 皓hao 霖lin 旭xu 景jing 辰chen 朗lang 灿can "
    "烨ye 沐mu 沃wo 汉han 湘xiang 蜀shu 粤yue 闽min 浙zhe 京jing 甬yong 银yin 绿lv 兆zhao 冠guan"
)

# confusable characters (homophones / similar shapes) used for typos and one-character-apart brands
_TYPO_TABLE = (
    "瑞:锐睿端 丰:峰锋风沣 华:化桦骅 泰:太秦汰 宏:洪弘红 达:大迖 鑫:新欣馨 源:原元园 盛:胜晟圣 "
    "昌:长倡 辉:晖徽挥 祥:翔详样 利:力立丽 通:同涌 信:心新 隆:龙陇 海:梅晦 恒:衡桓 远:元园院 "
    "创:闯 锦:瑾绵 博:搏傅 润:闰涧 嘉:佳家加 凯:铠恺楷 腾:滕藤 飞:菲非 明:铭名鸣 德:得徳 "
    "正:政证征 安:按鞍 康:慷糠 永:咏泳 佳:嘉家 和:合禾河 亿:忆艺 诚:成城承 益:易溢 金:今锦全 "
    "鼎:顶定 汇:会惠 联:连莲 众:重仲 兴:星欣 旺:望汪 福:富付 顺:舜瞬 宝:保堡葆 天:田添夭 "
    "东:冬栋 广:光 晨:辰臣 星:兴醒 光:广先 耀:曜跃 阳:扬杨洋 峰:丰锋蜂 威:伟薇 卓:琢桌 越:悦跃粤 "
    "尚:上商 雅:亚娅 美:镁媄 云:芸耘 宇:语雨羽 晟:盛胜 煜:昱钰 昊:浩皓 森:深 林:琳霖 川:传州 "
    "江:疆姜 泓:弘洪 浩:皓灏 瀚:翰汉 澜:岚兰 启:起企 航:杭沆 帆:凡繁 驰:池迟弛 麒:骐琪 麟:鳞琳 "
    "龙:隆珑 凤:风奉 鹏:朋彭 翔:祥详 鸿:宏洪 俊:骏峻 英:鹰樱瑛 豪:毫好 杰:洁捷 智:志知致 聚:巨炬 "
    "力:利立历 成:诚城程 立:力丽 元:源园圆 方:芳坊 品:频 匠:将 艺:亿易 欣:鑫昕 悦:越阅 万:方 "
    "宸:辰晨 璟:景憬 琪:琦祺 钧:均君 铭:明茗 锐:瑞睿 拓:托 展:湛 迈:麦 捷:杰婕 迅:讯汛 骏:俊峻 "
    "志:智致 圣:盛 同:通桐 大:达太 长:昌常 久:玖 泽:择 赛:塞 诺:喏 维:唯 茂:贸 荣:容融 乾:干 "
    "坤:昆 皓:浩 霖:林 旭:煦 景:璟 朗:琅 灿:璨 沃:沂 汉:翰 湘:相 银:垠 兆:照 冠:贯"
)
# typos in trade words (only applied when the entity has no same-brand relatives)
_TRADE_TYPOS = {
    "科技": ["科枝", "料技"], "贸易": ["贸意", "茂易"], "建材": ["建才"], "五金": ["五今"],
    "物流": ["物留"], "食品": ["实品"], "电子": ["电了"], "机械": ["机诫"], "广告": ["广造"],
    "商贸": ["商茂"], "印刷": ["印涮"], "包装": ["包妆"], "服饰": ["服饬"], "家具": ["家俱"],
}

# surnames: char(s) + pinyin, roughly in frequency order
_SURNAMES = (
    "王wang 李li 张zhang 刘liu 陈chen 杨yang 黄huang 赵zhao 吴wu 周zhou 徐xu 孙sun 马ma 朱zhu "
    "胡hu 郭guo 何he 高gao 林lin 罗luo 郑zheng 梁liang 谢xie 宋song 唐tang 许xu 韩han 冯feng "
    "邓deng 曹cao 彭peng 曾zeng 肖xiao 田tian 董dong 袁yuan 潘pan 于yu 蒋jiang 蔡cai 余yu 杜du "
    "叶ye 程cheng 苏su 魏wei 吕lv 丁ding 任ren 沈shen 姚yao 卢lu 姜jiang 崔cui 钟zhong 谭tan "
    "陆lu 汪wang 范fan 金jin 石shi 廖liao 贾jia 夏xia 韦wei 付fu 方fang 白bai 邹zou 孟meng "
    "熊xiong 秦qin 邱qiu 江jiang 尹yin 薛xue 闫yan 段duan 雷lei 侯hou 龙long 史shi 陶tao 黎li "
    "贺he 顾gu 毛mao 郝hao 龚gong 邵shao 万wan 钱qian 严yan 覃qin 武wu 戴dai 莫mo 孔kong 向xiang "
    "汤tang 常chang 温wen 康kang 施shi 文wen 牛niu 樊fan 葛ge 邢xing 安an 齐qi 易yi 乔qiao "
    "伍wu 庞pang 颜yan 倪ni 庄zhuang 聂nie 章zhang 鲁lu 岳yue 翟zhai 殷yin 詹zhan 申shen 欧ou "
    "耿geng 关guan 兰lan 焦jiao 俞yu 左zuo 柳liu 甘gan 祝zhu 包bao 宁ning 尚shang 符fu 舒shu "
    "阮ruan 柯ke 纪ji 梅mei 童tong 凌ling 毕bi 单shan 季ji 裴pei 霍huo 涂tu 成cheng 苗miao "
    "谷gu 盛sheng 曲qu 翁weng 冉ran 骆luo 蓝lan 路lu 游you 辛xin 靳jin 管guan 柴chai 蒙meng "
    "鲍bao 华hua 喻yu 祁qi 蒲pu 房fang 滕teng 屈qu 饶rao 解xie 牟mu 艾ai 尤you 阳yang 时shi "
    "穆mu 农nong 司si 卓zhuo 古gu 吉ji 缪miao 简jian 车che 项xiang 连lian 芦lu 麦mai 褚chu "
    "娄lou 窦dou 戚qi 岑cen 景jing 党dang 宫gong 费fei 卜bu 冷leng 晏yan 席xi 卫wei 米mi "
    "柏bai 宗zong 瞿qu 桂gui 全quan 佟tong 应ying 臧zang 闵min 苟gou 邬wu 边bian 卞bian 姬ji "
    "师shi 和he 仇qiu 栾luan 隋sui 商shang 刁diao 沙sha 荣rong 巫wu 寇kou 桑sang 郎lang 甄zhen "
    "丛cong 仲zhong 虞yu 敖ao 巩gong 明ming 佘she 池chi 查zha 麻ma 苑yuan 迟chi 邝kuang "
    "欧阳ouyang 司马sima 上官shangguan 诸葛zhuge 东方dongfang 皇甫huangfu 慕容murong 令狐linghu"
)
_MALE_GIVEN = (
    "伟wei 强qiang 磊lei 军jun 勇yong 杰jie 涛tao 斌bin 超chao 明ming 刚gang 平ping 辉hui 鹏peng "
    "华hua 飞fei 鑫xin 波bo 宇yu 浩hao 凯kai 健jian 俊jun 帆fan 峰feng 建jian 国guo 文wen 志zhi "
    "海hai 东dong 林lin 亮liang 成cheng 龙long 阳yang 晨chen 博bo 昊hao 天tian 永yong 新xin "
    "庆qing 春chun 德de 金jin 光guang 毅yi 正zheng 振zhen 家jia 子zi 睿rui 泽ze 轩xuan 铭ming "
    "思si 嘉jia 航hang 荣rong 彬bin 坤kun 锋feng 晓xiao 立li 学xue 富fu 发fa 宏hong 少shao "
    "继ji 宝bao 兵bing 忠zhong 喜xi 胜sheng 义yi 山shan 江jiang 旭xu 聪cong 翔xiang"
)
_FEMALE_GIVEN = (
    "娜na 敏min 静jing 丽li 芳fang 艳yan 燕yan 玲ling 婷ting 霞xia 雪xue 慧hui 琳lin 倩qian "
    "颖ying 洁jie 梅mei 红hong 萍ping 晶jing 莉li 娟juan 雯wen 欣xin 悦yue 佳jia 蕾lei 薇wei "
    "婧jing 璐lu 瑶yao 琪qi 露lu 月yue 凤feng 兰lan 秀xiu 英ying 华hua 文wen 小xiao 晓xiao "
    "雅ya 梦meng 诗shi 思si 紫zi 可ke 怡yi 彤tong 丹dan 璇xuan 蓉rong 妍yan 菲fei 春chun "
    "桂gui 玉yu 珍zhen 秋qiu 凤feng 琴qin 云yun 莹ying 虹hong 岚lan 媛yuan 洋yang 青qing"
)
# very common full names (gender), shared by many unrelated people
_COMMON_NAMES = (
    "张伟m 王伟m 王芳f 李伟m 李娜f 张敏f 李静f 王静f 刘伟m 王秀英f 张丽f 李强m 王磊m 张静f "
    "李敏f 王丽f 刘洋m 王强m 张杰m 李军m 王勇m 张磊m 陈静f 刘芳f 杨洋m 王艳f 李杰m 张涛m "
    "王军m 李娟f 陈杰m 刘杰m 张燕f 王刚m 李明m 张颖f 刘敏f 陈伟m 王建国m 李秀英f 张勇m 王超m"
)

# owner-named shop patterns and products (个体工商户)
_SHOP_PATTERNS = ["老{s}", "{s}记", "小{s}", "{s}姐", "{s}哥", "{s}师傅", "{s}嫂", "{s}家", "{s}氏",
                  "阿{g}", "{s}大姐", "{s}叔"]
_SHOP_PRODUCTS = (
    "烧烤 面馆 水果店 汽修 家电维修 粥铺 生煎 火锅 麻辣烫 饺子馆 牛肉面 羊肉串 米粉 包子铺 卤味 "
    "修车行 五金店 百货 便利店 理发店 美甲店 干洗店 开锁 鲜花店 茶叶店 土菜馆 小炒 烤鱼 奶茶店 "
    "早餐店 快餐 川菜馆 打印店 眼镜店 超市 手机维修 推拿 烘焙坊 馄饨 肠粉 酸辣粉 冒菜 烤鸭 熟食 "
    "粮油店 装修 搬家 窗帘 灯具 瓷砖 布艺 裁缝店 照相馆 花甲粉 螺蛳粉 凉皮 豆花 海鲜排档"
).split()

# franchise pieces
_FR_HEAD = "悦 茗 鲜 蜀 味 甜 果 麦 谷 禧 喜 乐 町 沁 暖 橙 茶 椰 桃 森 野 兔 熊 鹿 小 大 老 新".split()
_FR_MID = "茶 香 果 麦 面 饮 鲜 栗 桔 柚 禾 町 屿 巷 坊 岛 里 湾 街 园 食 客 厨 焙 咖 烤 串".split()
_FR_TAIL = "坊 轩 阁 记 居 堂 家 铺 屋 斋 园 舍 社 集 道 研 社 所".split()
_FR_CATEGORIES = ("奶茶 火锅 烘焙 面馆 便利店 洗衣 大药房 眼镜 健身 母婴 烤肉 咖啡 水果 鲜花 烧烤 "
                  "汉堡 炸鸡 酸菜鱼 米线 美容美发 少儿英语 口腔").split()
_FR_HQ_TRADES = ["餐饮管理", "商贸", "企业管理咨询", "供应链管理", "贸易"]
_LANDMARKS = ("万达广场 吾悦广场 银泰城 万象城 大悦城 龙湖天街 印象城 来福士 宝龙广场 爱琴海 凯德广场 "
              "万科广场 中央大街 步行街 火车站 高铁站 体育中心 大学城 人民广场 世纪广场 新天地 "
              "奥体中心 会展中心 国贸 金融城 软件园 科技园 滨江 湖滨 北站 南站 东站 开发区").split()
_ROADS = ("人民路 解放路 中山路 建设路 和平路 文化路 新华路 长江路 黄河路 胜利路 友谊路 工业路 "
          "光明路 北京路 南京路 延安路 迎宾路 健康路 学府路 青年路 幸福路 团结路 朝阳路 振兴路").split()

_NO_SINGLE = set("子少小晓可思家学继发文嘉佳诗紫月春秋玉")
_TITLES_ANY = ["总", "经理", "主任", "工", "老师", "总监", "老板", "主管"]
_TITLES_M = ["先生", "哥", "师傅"]
_TITLES_F = ["女士", "姐", "小姐"]
_NOTES = ["采购", "财务", "老板", "总经理", "行政", "前台", "技术", "销售", "负责人", "法人", "办公室", "仓库"]
_PUBLIC_MAIL = [("qq.com", 26), ("163.com", 24), ("126.com", 10), ("sina.com", 5), ("sohu.com", 3),
                ("foxmail.com", 6), ("139.com", 3), ("yeah.net", 2), ("aliyun.com", 2),
                ("outlook.com", 3), ("hotmail.com", 2), ("gmail.com", 2), ("sina.cn", 1), ("21cn.com", 1)]
_ROLE_LOCALS = ["sales", "info", "service", "admin", "caiwu", "hr", "purchase", "cg", "office", "market",
                "contact", "kefu", "boss", "xs", "business"]
_MOBILE_PREFIX = ("130 131 132 133 134 135 136 137 138 139 145 147 150 151 152 153 155 156 157 158 159 "
                  "166 170 171 172 173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 191 193 "
                  "195 196 197 198 199").split()
_FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in
              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789()-.,&@/+"}
_FULLWIDTH_TABLE = str.maketrans(_FULLWIDTH)
_LEGAL_EN = {"有限公司": "Co., Ltd.", "有限责任公司": "Co., Ltd.", "股份有限公司": "Co., Ltd.",
             "集团有限公司": "Group Co., Ltd.", "工作室": "Studio", "厂": "Factory"}


def _parse_pairs(text):
    out = []
    for tok in text.split():
        i = 0
        while i < len(tok) and not tok[i].isascii():
            i += 1
        out.append((tok[:i], tok[i:]))
    return out


def _short_district(full):
    s = full
    for suf in ("新区", "街道", "区", "县", "市", "镇"):
        if s.endswith(suf) and len(s) - len(suf) >= 2:
            s = s[: -len(suf)]
            break
    for tail in ("回族", "土族自治"):
        if s.endswith(tail) and len(s) - len(tail) >= 2:
            s = s[: -len(tail)]
    return s


class _City:
    __slots__ = ("name", "py", "area", "digits", "weight", "dfull", "dshort")

    def __init__(self, line):
        name, py, area, digits, weight, dists = line.split("|")
        self.name, self.py, self.area, self.digits = name, py, area, int(digits)
        self.weight = float(weight)
        self.dfull = dists.split()
        self.dshort = [_short_district(d) for d in self.dfull]


CITIES = [_City(l) for l in _CITY_TABLE.strip().splitlines()]
CITY_INDEX = {c.name: i for i, c in enumerate(CITIES)}
TRADES = []
for _l in _TRADE_TABLE.strip().splitlines():
    _n, _en, _py, _grp, _forms, _w = _l.split("|")
    TRADES.append({"name": _n, "en": _en, "py": _py, "grp": _grp, "forms": _forms, "w": float(_w)})
TRADE_BY_NAME = {t["name"]: t for t in TRADES}
BRAND_CHARS = _parse_pairs(_BRAND_CHARS)
PINYIN = {}
for _c, _p in BRAND_CHARS:
    PINYIN.setdefault(_c, _p)
TYPO = {}
for _tok in _TYPO_TABLE.split():
    _k, _v = _tok.split(":")
    TYPO[_k] = list(_v)
SURNAMES = _parse_pairs(_SURNAMES)
SURNAME_W = [1.0 / (1 + i) ** 0.75 for i in range(len(SURNAMES))]
for _i in range(len(SURNAMES) - 8, len(SURNAMES)):   # compound surnames are rare
    SURNAME_W[_i] = 0.01
SURNAME_PY = dict(SURNAMES)
MALE = _parse_pairs(_MALE_GIVEN)
FEMALE = _parse_pairs(_FEMALE_GIVEN)
GIVEN_PY = {}
for _c, _p in MALE + FEMALE:
    GIVEN_PY.setdefault(_c, _p)
COMMON = []
for _tok in _COMMON_NAMES.split():
    _nm, _g = _tok[:-1], _tok[-1]
    COMMON.append((_nm, _nm[0], _g))

COMPANY_KINDS = ("co", "branch")
DAY0 = pd.Timestamp("2020-01-01")
NDAYS = (pd.Timestamp("2026-10-31") - DAY0).days + 1


def _cum(weights):
    out, s = [], 0.0
    for w in weights:
        s += w
        out.append(s)
    return out


CITY_CUM = _cum([c.weight for c in CITIES])
TRADE_CUM = _cum([t["w"] for t in TRADES])
SURNAME_CUM = _cum(SURNAME_W)
MAIL_CUM = _cum([w for _, w in _PUBLIC_MAIL])


# ---------------------------------------------------------------------------
# Entities
# ---------------------------------------------------------------------------

class Entity:
    __slots__ = ("eid", "kind", "city", "dist", "brand", "trade", "legal", "style", "br", "parent",
                 "store", "category", "shop", "person", "keys", "contacts", "mobile", "land",
                 "hk_phone", "email", "phones_alt", "emails_alt", "n", "flags", "agent", "shared_land",
                 "fr_style", "gender_title")

    def __init__(self, eid, kind):
        self.eid = eid
        self.kind = kind
        self.city = None
        self.dist = None
        self.brand = ""
        self.trade = ""
        self.legal = ""
        self.style = "A"
        self.br = "（）"
        self.parent = None
        self.store = self.category = self.shop = self.person = None
        self.keys = []
        self.contacts = []       # list of (full name, surname, gender)
        self.mobile = None
        self.land = None         # (area, number, ext)
        self.hk_phone = None
        self.email = None
        self.phones_alt = []
        self.emails_alt = []
        self.n = 1
        self.flags = {}
        self.agent = None        # dict for agent clients
        self.shared_land = None  # (area, number, ext) switchboard shared with other entities
        self.fr_style = 0


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.seed = seed
        self.entities = []
        self.used_ct = set()         # (city, brand, trade) registered names (incl. typo'd ones)
        self.city_brand = {}         # (city, brand) -> count
        self.used_phone = set()
        self.used_email = set()
        self.used_domain = set()
        self.contact_nb = {}         # neighbourhood key -> set of contact names
        self.used_shop = set()
        self.used_store = set()
        self.used_branch = set()
        self.used_fr_brand = set()
        self.shared = set()          # switchboard / agent numbers and e-mails used by several entities

    # -- basic draws -------------------------------------------------------
    def city(self):
        return self.rng.choices(range(len(CITIES)), cum_weights=CITY_CUM)[0]

    def trade(self, avoid_groups=(), avoid_trades=()):
        """A trade word; for families: not in the same group and not sharing a word (科技/环保科技)."""
        while True:
            t = self.rng.choices(TRADES, cum_weights=TRADE_CUM)[0]
            n = t["name"]
            if t["grp"] in avoid_groups:
                continue
            if any(x and (x[-2:] == n[-2:] or x in n or n in x) for x in avoid_trades):
                continue
            return n

    def brand(self):
        r = self.rng
        n = 2 if r.random() < 0.9 else 3
        while True:
            chars = [r.choice(BRAND_CHARS)[0] for _ in range(n)]
            if len(set(chars)) == n:
                return "".join(chars)

    def person_name(self, gender=None, common_p=0.04):
        r = self.rng
        if r.random() < common_p:
            nm, s, g = r.choice(COMMON)
            if gender is None or g == gender:
                return nm, s, g
        s = r.choices(SURNAMES, cum_weights=SURNAME_CUM)[0][0]
        g = gender or ("m" if r.random() < 0.56 else "f")
        pool = MALE if g == "m" else FEMALE
        if r.random() < 0.3:
            given = r.choice(pool)[0]
            while given in _NO_SINGLE:
                given = r.choice(pool)[0]
        else:
            given = r.choice(pool)[0] + r.choice(pool)[0]
            if given[0] == given[1] and r.random() < 0.7:
                given = given[0]
        return s + given, s, g

    def contact(self, keys, gender=None, common_p=0.04, surname=None):
        """A contact name not used by any entity sharing a neighbourhood key."""
        sets = [self.contact_nb.setdefault(k, set()) for k in keys]
        for _ in range(200):
            nm, s, g = self.person_name(gender, common_p)
            if surname is not None:
                g2 = g
                given = nm[len(s):]
                nm, s, g = surname + given, surname, g2
            if not any(nm in st for st in sets):
                for st in sets:
                    st.add(nm)
                return (nm, s, g)
        raise RuntimeError("contact space exhausted")

    def mobile(self):
        r = self.rng
        while True:
            m = r.choice(_MOBILE_PREFIX) + "%08d" % r.randrange(100_000_000)
            if m not in self.used_phone:
                self.used_phone.add(m)
                return m

    def landline(self, city, ext_p=0.12):
        r = self.rng
        c = CITIES[city]
        while True:
            first = r.choice("2345678" if c.digits == 8 else "234568")
            num = first + "".join(r.choice("0123456789") for _ in range(c.digits - 1))
            key = c.area + num
            if key not in self.used_phone:
                self.used_phone.add(key)
                ext = str(r.randrange(100, 9000)) if r.random() < ext_p else ""
                return (c.area, num, ext)

    def hk_number(self):
        r = self.rng
        while True:
            num = r.choice("2356789") + "%07d" % r.randrange(10_000_000)
            key = "852" + num
            if key not in self.used_phone:
                self.used_phone.add(key)
                return num

    def _unique_email(self, local, domain):
        r = self.rng
        addr = f"{local}@{domain}"
        while addr in self.used_email:
            addr = f"{local}{r.randrange(1, 10000)}@{domain}"
        self.used_email.add(addr)
        return addr

    def name_pinyin(self, name, surname):
        sp = SURNAME_PY.get(surname)
        given = name[len(surname):]
        gp = [GIVEN_PY.get(ch) for ch in given]
        if sp is None or None in gp:
            return None
        return sp, gp

    def personal_email(self, contact):
        r = self.rng
        domain = r.choices(_PUBLIC_MAIL, cum_weights=MAIL_CUM)[0][0]
        py = self.name_pinyin(contact[0], contact[1])
        if domain == "qq.com" and r.random() < 0.65 or py is None:
            local = str(r.randrange(10_000, 3_000_000_000))
            return self._unique_email(local, "qq.com" if py is None else domain)
        sp, gp = py
        g = "".join(gp)
        x = r.random()
        if x < 0.3:
            local = sp + g
        elif x < 0.45:
            local = sp + g + str(r.choice([r.randrange(1965, 2004), r.randrange(1, 1000)]))
        elif x < 0.58:
            local = f"{sp}.{g}"
        elif x < 0.68:
            local = g + sp
        elif x < 0.8:
            local = sp + "".join(p[0] for p in gp)
        elif x < 0.9:
            local = sp[0] + "".join(p[0] for p in gp) + str(r.randrange(10, 99999))
        else:
            local = f"{sp}_{g}"
        return self._unique_email(local, domain)

    def company_domain(self, brand, trade, city):
        r = self.rng
        py = [PINYIN.get(ch) for ch in brand]
        if None in py:
            return None
        base = "".join(py)
        tpy = TRADE_BY_NAME[trade]["py"].replace(" ", "").lower() if trade in TRADE_BY_NAME else ""
        cands = [base, base + tpy, CITIES[city].py.lower()[:2] + base if city is not None else base,
                 "".join(p[0] for p in py) + "-" + (tpy[:4] or "co"), base + "group"]
        r.shuffle(cands)
        for c in cands:
            d = c + r.choice([".com", ".com", ".cn", ".com.cn", ".net"])
            if d not in self.used_domain:
                self.used_domain.add(d)
                return d
        return None

    def company_email(self, ent, contact):
        r = self.rng
        if r.random() < 0.4 and ent.brand:
            d = self.company_domain(ent.brand, ent.trade, ent.city)
            if d:
                py = self.name_pinyin(contact[0], contact[1])
                if py and r.random() < 0.6:
                    sp, gp = py
                    local = r.choice([sp + "".join(gp), "".join(gp) + "." + sp, sp + "".join(p[0] for p in gp)])
                else:
                    local = r.choice(_ROLE_LOCALS)
                return self._unique_email(local, d)
        return self.personal_email(contact)

    # -- registration ------------------------------------------------------
    def brand_keys(self, brand):
        keys = [brand]
        for i in range(len(brand)):
            keys.append(brand[:i] + "?" + brand[i + 1:])
        return keys

    def new_entity(self, kind):
        e = Entity(len(self.entities), kind)
        self.entities.append(e)
        return e

    def _free_ct(self, city, brand, trade):
        return (city, brand, trade) not in self.used_ct

    def register_ct(self, city, brand, trade):
        self.used_ct.add((city, brand, trade))
        self.city_brand[(city, brand)] = self.city_brand.get((city, brand), 0) + 1

    def company(self, city=None, brand=None, trade=None, legal=None, small_ok=True, kind="co",
                style=None, phones=True, email_p=0.65, contact=True, common_p=0.04):
        r = self.rng
        for _ in range(500):
            c = self.city() if city is None else city
            b = self.brand() if brand is None else brand
            t = self.trade() if trade is None else trade
            if self._free_ct(c, b, t):
                break
            if brand is not None and trade is not None and city is not None:
                return None
        else:
            return None
        self.register_ct(c, b, t)
        e = self.new_entity(kind)
        e.city, e.brand, e.trade = c, b, t
        e.dist = r.randrange(len(CITIES[c].dfull))
        e.br = "（）" if r.random() < 0.6 else "()"
        tinfo = TRADE_BY_NAME.get(t)
        forms = tinfo["forms"] if tinfo else ""
        small = False
        if legal is None:
            x = r.random()
            if small_ok and "S" in forms and x < 0.18:
                legal = r.choice(["商行", "经营部", "店"])
                small = True
            elif small_ok and "W" in forms and x < 0.25:
                legal = "工作室"
                small = True
            elif small_ok and "F" in forms and x < 0.12:
                legal = "厂"
                small = True
            else:
                y = r.random()
                legal = "有限公司" if y < 0.72 else ("有限责任公司" if y < 0.93 else "股份有限公司")
        elif legal in ("商行", "经营部", "店", "工作室", "厂"):
            small = True
        e.legal = legal
        if style is None:
            x = r.random()
            if small:
                style = "C" if x < 0.6 else ("D1" if x < 0.75 else ("A" if x < 0.9 else "Am"))
            else:
                style = ("A" if x < 0.52 else "B" if x < 0.64 else "Am" if x < 0.78 else
                         "C" if x < 0.89 else "D1" if x < 0.95 else "D2")
        e.style = style
        e.keys = self.brand_keys(b)
        if contact:
            e.contacts.append(self.contact(e.keys, common_p=common_p))
        if phones:
            x = r.random()
            if x < 0.62:
                e.mobile = self.mobile()
            elif x < 0.88:
                e.mobile = self.mobile()
                e.land = self.landline(c)
            else:
                e.land = self.landline(c)
        if contact and r.random() < email_p:
            e.email = self.company_email(e, e.contacts[0])
        return e

    # -- scenarios -----------------------------------------------------------
    def sc_single(self):
        self.company()

    def sc_other_city(self):
        r = self.rng
        first = self.company(small_ok=False)
        k = r.choice([2, 2, 2, 3, 3, 4])
        cities = [first.city]
        for _ in range(k - 1):
            c = self.city()
            if c in cities:
                continue
            cities.append(c)
            t = first.trade if r.random() < 0.75 else self.trade(avoid_trades=[first.trade])
            e = self.company(city=c, brand=first.brand, trade=t, small_ok=False)
            if e is not None:
                e.flags["family"] = True
                first.flags["family"] = True

    def sc_same_city_other_trade(self):
        r = self.rng
        first = self.company(small_ok=False)
        groups = [TRADE_BY_NAME[first.trade]["grp"]]
        trades = [first.trade]
        for _ in range(r.choice([1, 1, 2])):
            t = self.trade(avoid_groups=groups, avoid_trades=trades)
            groups.append(TRADE_BY_NAME[t]["grp"])
            trades.append(t)
            e = self.company(city=first.city, brand=first.brand, trade=t, small_ok=False)
            if e is not None:
                e.flags["family"] = first.flags["family"] = True

    def sc_near(self):
        r = self.rng
        first = self.company(small_ok=False)
        b = first.brand
        for _ in range(50):
            i = r.randrange(len(b))
            if b[i] in TYPO and r.random() < 0.65:
                ch = r.choice(TYPO[b[i]])
            else:
                ch = r.choice(BRAND_CHARS)[0]
            b2 = b[:i] + ch + b[i + 1:]
            if ch not in b and self._free_ct(first.city, b2, first.trade):
                break
        else:
            return
        t = first.trade if r.random() < 0.7 else self.trade()
        e = self.company(city=first.city, brand=b2, trade=t, small_ok=False)
        if e is not None:
            # the two brands must also not share a contact person (neighbourhood keys differ at
            # one position only, so register each other's keys)
            for k in e.keys:
                self.contact_nb.setdefault(k, set()).update(c[0] for c in first.contacts)
            e.flags["near"] = first.flags["near"] = True
            e.flags["family"] = first.flags["family"] = True

    def sc_branch(self):
        r = self.rng
        hq = self.company(small_ok=False, style=r.choice(["A", "A", "Am", "B"]))
        hq.flags["family"] = True
        if hq.land is None and r.random() < 0.7:
            hq.land = self.landline(hq.city)
        for _ in range(r.choice([1, 1, 2, 2, 3])):
            c = self.city()
            if c == hq.city or (hq.eid, c) in self.used_branch:
                continue
            self.used_branch.add((hq.eid, c))
            e = self.new_entity("branch")
            e.parent, e.city, e.brand, e.trade, e.legal = hq, c, hq.brand, hq.trade, hq.legal
            e.dist = r.randrange(len(CITIES[c].dfull))
            e.br = hq.br
            e.keys = hq.keys
            e.contacts.append(self.contact(e.keys))
            e.mobile = self.mobile() if r.random() < 0.8 else None
            e.land = self.landline(c) if (e.mobile is None or r.random() < 0.5) else None
            if hq.land and r.random() < 0.15:
                e.shared_land = hq.land[:2] + ("",)
                self.shared.add(hq.land[0] + hq.land[1])
            if r.random() < 0.7:
                e.email = self.company_email(e, e.contacts[0])
            e.flags["family"] = True

    def sc_hk(self):
        r = self.rng
        b = self.brand()
        t = self.trade(avoid_groups=("food", "svc", "build"))
        hkc = ("HK", b, t)
        if hkc in self.used_ct:
            return
        self.used_ct.add(hkc)
        e = self.new_entity("hk")
        e.brand, e.trade, e.legal = b, t, "有限公司"
        e.keys = self.brand_keys(b)
        e.contacts.append(self.contact(e.keys))
        e.hk_phone = self.hk_number()
        e.mobile = self.mobile() if r.random() < 0.3 else None
        if r.random() < 0.85:
            e.email = self.company_email(e, e.contacts[0])
        e.flags["family"] = True
        mainland = ["深圳"] + (["广州"] if r.random() < 0.3 else []) + (["东莞"] if r.random() < 0.25 else [])
        for cn in mainland:
            m = self.company(city=CITY_INDEX[cn], brand=b, trade=t, legal="有限公司", style="B")
            if m is not None:
                m.flags["family"] = m.flags["hkfam"] = True

    def sc_group(self):
        r = self.rng
        c = self.city()
        for _ in range(100):
            b = self.brand()
            if self._free_ct(c, b, ""):
                break
        g = self.company(city=c, brand=b, trade="", legal="集团有限公司", style=r.choice(["A", "A", "Am", "C"]),
                         phones=False)
        if g is None:
            return
        board = self.landline(c, ext_p=0)
        self.shared.add(board[0] + board[1])
        g.land = board
        g.mobile = self.mobile() if r.random() < 0.5 else None
        g.flags["family"] = True
        groups, trades = [], []
        for _ in range(r.choice([2, 2, 3, 4])):
            t = self.trade(avoid_groups=groups, avoid_trades=trades)
            groups.append(TRADE_BY_NAME[t]["grp"])
            trades.append(t)
            e = self.company(city=c, brand=b, trade=t, small_ok=False, phones=False)
            if e is None:
                continue
            e.flags["family"] = True
            e.shared_land = (board[0], board[1], str(r.randrange(800, 8999)) if r.random() < 0.6 else "")
            if r.random() < 0.7:
                e.mobile = self.mobile()

    def _unrelated_brands(self, k):
        brands = []
        while len(brands) < k:
            b = self.brand()
            if any(set(b) & set(x) for x in brands):
                continue
            brands.append(b)
        return brands

    def sc_business_centre(self):
        r = self.rng
        c = self.city()
        board = self.landline(c, ext_p=0)
        self.shared.add(board[0] + board[1])
        for b in self._unrelated_brands(r.randint(3, 6)):
            e = self.company(city=c, brand=b, phones=False)
            if e is None:
                continue
            e.shared_land = board
            if r.random() < 0.6:
                e.mobile = self.mobile()

    def sc_agent(self):
        r = self.rng
        c = self.city()
        k = r.randint(3, 8)
        brands = self._unrelated_brands(k + 1)
        keys = [kk for b in brands for kk in self.brand_keys(b)]
        agent_c = self.contact(keys, common_p=0.08)
        agent = {"contact": agent_c, "mobile": self.mobile(),
                 "land": self.landline(c, ext_p=0) if r.random() < 0.35 else None,
                 "kind": r.choice(["代账", "代账", "代理记账", "财务", "代理"]),
                 "email": None}
        agency = None
        if r.random() < 0.4:
            agency = self.company(city=c, brand=brands[-1], trade=r.choice(["企业管理咨询", "商贸", "人力资源"]),
                                  small_ok=False, phones=False, contact=False)
            if agency is not None:
                agency.contacts.append(agent_c)
                agency.mobile = agent["mobile"]
                agency.land = agent["land"]
                agency.agent = dict(agent, self_agency=True)
        if r.random() < 0.75:
            if agency is not None and r.random() < 0.5:
                agent["email"] = self.company_email(agency, agent_c)
            else:
                agent["email"] = self.personal_email(agent_c)
        self.shared.add(agent["mobile"])
        if agent["land"]:
            self.shared.add(agent["land"][0] + agent["land"][1])
        if agent["email"]:
            self.shared.add(agent["email"])
        if agency is not None:
            agency.email = agent["email"]
            agency.agent["email"] = agent["email"]
        for b in brands[:k]:
            e = self.company(city=c, brand=b, phones=False, contact=False)
            if e is None:
                continue
            e.agent = agent
            e.contacts.append(agent_c)
            own = self.contact(e.keys)        # the client's own boss, shown in some rows
            e.contacts.append(own)
            e.mobile = self.mobile() if r.random() < 0.5 else None
            if r.random() < 0.3:
                e.email = self.personal_email(own)

    def sc_franchise(self):
        r = self.rng
        for _ in range(100):
            b = r.choice(_FR_HEAD) + r.choice(_FR_MID) + r.choice(_FR_TAIL)
            if len(set(b)) == 3 and b not in self.used_fr_brand:
                break
        self.used_fr_brand.add(b)
        cat = r.choice(_FR_CATEGORIES)
        style = r.randrange(3)
        home = self.city()
        cities = [home] + [self.city() for _ in range(r.choice([0, 1, 1, 2, 3]))]
        seen = []
        keys = self.brand_keys(b)
        for c in cities:
            if c in seen:
                continue
            seen.append(c)
            for _ in range(r.randint(1, 5)):
                x = r.random()
                if x < 0.55:
                    s = r.choice(_LANDMARKS) + "店"
                elif x < 0.8:
                    s = r.choice(_ROADS) + "店"
                else:
                    s = CITIES[c].dshort[r.randrange(len(CITIES[c].dshort))] + "店"
                if (b, c, s) in self.used_store:
                    continue
                self.used_store.add((b, c, s))
                e = self.new_entity("store")
                e.city, e.brand, e.store, e.category, e.fr_style = c, b, s, cat, style
                e.br = "（）" if r.random() < 0.6 else "()"
                e.keys = keys
                e.contacts.append(self.contact(keys))
                if r.random() < 0.65:
                    e.mobile = self.mobile()
                    if r.random() < 0.3:
                        e.land = self.landline(c)
                else:
                    e.land = self.landline(c)
                if r.random() < 0.35:
                    e.email = self.personal_email(e.contacts[0])
        if r.random() < 0.3:
            hq = self.company(city=home, brand=b, trade=r.choice(_FR_HQ_TRADES), small_ok=False, style="A")
            if hq is not None:
                hq.flags["family"] = True

    def sc_shop(self):
        r = self.rng
        for _ in range(200):
            c = self.city()
            s = r.choices(SURNAMES[:60], cum_weights=SURNAME_CUM[:60])[0][0]
            pat = r.choice(_SHOP_PATTERNS)
            g = r.choice(MALE + FEMALE)[0]
            core = pat.format(s=s, g=g) + r.choice(_SHOP_PRODUCTS)
            if (c, core) not in self.used_shop:
                break
        self.used_shop.add((c, core))
        e = self.new_entity("shop")
        e.city, e.shop = c, core
        e.dist = r.randrange(len(CITIES[c].dfull))
        e.br = "（）" if r.random() < 0.6 else "()"
        e.keys = ["shop:" + core]
        gender = "f" if ("姐" in pat or "嫂" in pat) else ("m" if ("哥" in pat or "叔" in pat) else None)
        if "{g}" in pat:
            # 阿强汽修: the owner's given name ends with the nickname character
            st = self.contact_nb.setdefault(e.keys[0], set())
            for _ in range(200):
                nm, sn, gg = self.person_name(gender, 0)
                nm = sn + (nm[len(sn)] if r.random() < 0.6 else "") + g
                if nm not in st:
                    break
            st.add(nm)
            e.contacts.append((nm, sn, gg))
        else:
            e.contacts.append(self.contact(e.keys, gender, surname=s))
        e.flags["title_sur"] = e.contacts[0][1]
        e.mobile = self.mobile()
        if r.random() < 0.15:
            e.land = self.landline(c)
        if r.random() < 0.25:
            e.email = self.personal_email(e.contacts[0])

    def sc_person(self):
        r = self.rng
        e = self.new_entity("person")
        nm, s, g = self.person_name(common_p=0.3)
        e.person = nm
        e.contacts.append((nm, s, g))
        e.city = self.city()
        e.mobile = self.mobile()
        if r.random() < 0.4:
            e.email = self.personal_email((nm, s, g))

    SCENARIOS = [("sc_single", 0.60), ("sc_other_city", 0.011), ("sc_same_city_other_trade", 0.010),
                 ("sc_near", 0.011), ("sc_branch", 0.010), ("sc_hk", 0.004), ("sc_group", 0.003),
                 ("sc_business_centre", 0.004), ("sc_agent", 0.005), ("sc_franchise", 0.0065),
                 ("sc_shop", 0.10), ("sc_person", 0.10)]

    # -- phase 1 -------------------------------------------------------------
    def build_entities(self, n_records):
        r = self.rng
        names = [s for s, _ in self.SCENARIOS]
        cum = _cum([w for _, w in self.SCENARIOS])
        total = 0
        while total < n_records:
            start = len(self.entities)
            getattr(self, r.choices(names, cum_weights=cum)[0])()
            for e in self.entities[start:]:
                x = r.random()
                e.n = 1 if x < 0.728 else 2 if x < 0.937 else 3 if x < 0.992 else 4
                if total + e.n > n_records:
                    e.n = n_records - total
                total += e.n
        self.entities = [e for e in self.entities if e.n > 0]
        # flags that depend on the whole population
        pykey = {}
        for e in self.entities:
            if e.kind in ("co", "hk"):
                k = (e.city if e.kind == "co" else "HK", "".join(PINYIN.get(ch, "?") for ch in e.brand), e.trade)
                pykey[k] = pykey.get(k, 0) + 1
        # name clashes: the same name (without city) is used by several customers; such
        # customers never show their contact only as surname + title (王总), which would
        # make two different firms look identical
        clash = {}
        def ckey(e):
            if e.kind in ("co", "branch", "hk"):
                return ("co", e.brand, e.trade)
            if e.kind == "shop":
                return ("shop", e.shop)
            if e.kind == "store":
                return ("store", e.brand, e.store)
            return None
        for e in self.entities:
            k = ckey(e)
            if k is not None:
                clash[k] = clash.get(k, 0) + 1
        for e in self.entities:
            k = ckey(e)
            if k is not None and (clash[k] > 1 or e.flags.get("family")):
                e.flags["clash"] = True
        for e in self.entities:
            f = e.flags
            if e.kind == "co":
                unique_brand = self.city_brand.get((e.city, e.brand), 0) == 1 and not f.get("family")
                f["short"] = unique_brand and e.agent is None and e.trade != ""
                f["drop_trade"] = unique_brand and e.trade != ""
                f["typo"] = not f.get("near") and e.agent is None and e.shared_land is None
                f["trade_typo"] = not f.get("family")
                pyk = (e.city, "".join(PINYIN.get(ch, "?") for ch in e.brand), e.trade)
                f["eng"] = (not f.get("near") and "?" not in pyk[1] and pykey.get(pyk, 0) == 1
                            and e.legal in _LEGAL_EN)
                f["drop_city"] = not f.get("hkfam")
            elif e.kind == "hk":
                pyk = ("HK", "".join(PINYIN.get(ch, "?") for ch in e.brand), e.trade)
                f["eng"] = "?" not in pyk[1] and pykey.get(pyk, 0) == 1

    # -- phase 2: rows -------------------------------------------------------
    def compose(self, e, form, brand, trade, legal, br):
        c = CITIES[e.city]
        L, R = br[0], br[1]
        core = brand + trade
        cs = c.name
        df, ds = c.dfull[e.dist], c.dshort[e.dist]
        if form == "A":
            return [cs, core, legal]
        if form == "Am":
            return [cs + "市", core, legal]
        if form == "B":
            return [core, L + cs + R, legal] if legal else [core, L + cs + R]
        if form == "C":
            return [cs + "市", df, core, legal]
        if form == "D1":
            return [cs, ds, core, legal]
        if form == "D2":
            return [core, L + ds + R, legal] if legal else [core, L + ds + R]
        if form == "D4":
            return [df, core, legal]
        return [core, legal]   # "N": no city

    def english_name(self, e):
        r = self.rng
        bpy = "".join(PINYIN[ch] for ch in e.brand).capitalize()
        t = TRADE_BY_NAME.get(e.trade)
        ten = t["en"] if t else ""
        tpy = t["py"] if t else ""
        if e.kind == "hk":
            x = r.random()
            s = (f"{bpy} {ten} (Hong Kong) Limited" if x < 0.5 else f"{bpy} {ten} (HK) Co., Ltd." if x < 0.75
                 else f"{bpy.upper()} {ten.upper()} (HK) LIMITED")
            return s
        city = CITIES[e.city].py
        leg = _LEGAL_EN[e.legal]
        x = r.random()
        if x < 0.4:
            s = f"{city} {bpy} {ten} {leg}"
        elif x < 0.6:
            s = f"{bpy} {ten} ({city}) {leg}"
        elif x < 0.8:
            s = f"{city} {bpy} {ten} {leg}".upper().replace("CO., LTD.", r.choice(["CO., LTD.", "CO.,LTD", "CO LTD"]))
        else:
            leg_py = {"有限公司": "Youxian Gongsi", "有限责任公司": "Youxian Zeren Gongsi",
                      "股份有限公司": "Gufen Youxian Gongsi", "集团有限公司": "Jituan Youxian Gongsi",
                      "工作室": "Gongzuoshi", "厂": "Chang"}[e.legal]
            s = f"{city} {bpy} {tpy} {leg_py}"
        return " ".join(s.split())

    def typo_brand(self, e):
        """Return (brand, trade) with exactly one mistyped character, or None."""
        r = self.rng
        opts = [i for i, ch in enumerate(e.brand) if ch in TYPO]
        for _ in range(6):
            if e.flags.get("trade_typo") and e.trade in _TRADE_TYPOS and r.random() < 0.2:
                b, t = e.brand, r.choice(_TRADE_TYPOS[e.trade])
            elif opts:
                i = r.choice(opts)
                b = e.brand[:i] + r.choice(TYPO[e.brand[i]]) + e.brand[i + 1:]
                t = e.trade
            else:
                return None
            if (e.city, b, t) not in self.used_ct and self.city_brand.get((e.city, b), 0) == 0:
                self.used_ct.add((e.city, b, t))
                return b, t
        return None

    def noise_join(self, segs, p_space=0.09):
        r = self.rng
        segs = [s for s in segs if s]
        if len(segs) > 1 and r.random() < p_space:
            i = r.randrange(1, len(segs))
            sp = r.choice([" ", " ", " ", "  ", "\u3000"])
            s = "".join(segs[:i]) + sp + "".join(segs[i:])
        else:
            s = "".join(segs)
        x = r.random()
        if x < 0.025:
            s = " " + s
        elif x < 0.06:
            s = s + r.choice([" ", "  ", "\u3000"])
        return s

    def width_noise(self, s):
        r = self.rng
        x = r.random()
        if x < 0.06:
            s = s.replace("（", "(").replace("）", ")")
        elif x < 0.13:
            s = s.replace("(", "（").replace(")", "）")
        if r.random() < 0.03:
            s = s.translate(_FULLWIDTH_TABLE)
        return s

    def trad(self, s):
        return zhconv.convert(s, self.rng.choice(["zh-tw", "zh-hk"]))

    def name_company(self, e, typo):
        """-> (name, mild, reg_exact)"""
        r = self.rng
        f = e.flags
        form, brand, trade, legal, br = e.style, e.brand, e.trade, e.legal, e.br
        if e.kind == "co" and f.get("eng") and r.random() < 0.035:
            s = self.english_name(e)
            if r.random() < 0.02:
                s = s.translate(_FULLWIDTH_TABLE)
            return self.noise_join([s], 0), False, False
        changes = []
        heavy = False
        if typo:
            tb = self.typo_brand(e)
            if tb:
                brand, trade = tb
                heavy = True
                changes.append("typo")
        x = r.random()
        n_var = 0 if x < (0.5 if not typo else 0.75) else (1 if x < 0.88 else 2)
        small = legal in ("商行", "经营部", "店", "工作室", "厂")
        menu = ["city_form", "district", "legal_swap", "trad", "drop_legal"]
        w = [10, 6, 8 if not small else 2, 4, 5]
        if f.get("drop_city", True):
            menu.append("drop_city"); w.append(10)
        if f.get("short"):
            menu.append("short"); w.append(3)
        if f.get("drop_trade"):
            menu.append("drop_trade"); w.append(3)
        if small:
            menu.append("getihu"); w.append(4)
        chosen = []
        for _ in range(n_var):
            v = r.choices(menu, weights=w)[0]
            if v not in chosen:
                chosen.append(v)
        city_forms = ["A", "Am", "B"]
        dist_forms = ["C", "D1", "D2"] + (["D4"] if CITIES[e.city].dfull[e.dist][-1] in "县市" else [])
        suffix = ""
        for v in chosen:
            if v == "city_form":
                form = r.choice([x for x in (dist_forms if form in dist_forms else city_forms) if x != form] or ["A"])
            elif v == "district":
                form = r.choice(city_forms) if form in dist_forms else r.choice(dist_forms)
            elif v == "drop_city":
                form = "N"
            elif v == "legal_swap":
                legal = {"有限公司": r.choice(["有限责任公司", "有限责任公司", "公司"]),
                         "有限责任公司": "有限公司", "股份有限公司": r.choice(["股份公司", "有限公司"]),
                         "集团有限公司": r.choice(["集团公司", "集团股份有限公司"]),
                         "商行": "商店", "经营部": "商行", "店": "商店", "工作室": "设计工作室" if trade != "设计" else "工作室室",
                         "厂": "加工厂"}.get(legal, legal)
                if legal == "工作室室":
                    legal = "工作室"
                else:
                    changes.append("legal")
            elif v == "drop_legal":
                legal = "集团" if legal.startswith("集团") else ""
                heavy = True
            elif v == "short":
                trade, legal = "", "公司"
                if form not in ("A", "Am", "N"):
                    form = "A"
                heavy = True
            elif v == "drop_trade":
                trade = ""
                heavy = True
            elif v == "getihu":
                suffix = br[0] + "个体工商户" + br[1]
            changes.append(v)
        if e.kind == "branch":
            hq = e.parent
            hq_form = hq.style if r.random() < 0.7 else r.choice(["A", "Am", "B"])
            if hq_form in ("C", "D1", "D2", "D4"):
                hq_form = "A"
            hq_legal = hq.legal if "legal" not in changes else legal
            hq_segs = self.compose(hq, hq_form, hq.brand, hq.trade, hq_legal if legal or r.random() < 0.5 else "", br)
            bcity = CITIES[e.city].name
            y = r.random()
            branch_exact = y < 0.75 and hq_form == hq.style and hq_legal == hq.legal and legal
            if y < 0.75:
                segs = hq_segs + [bcity + "分公司"]
            elif y < 0.9:
                segs = [hq.brand + hq.trade, bcity + "分公司"]
                heavy = True
            else:
                segs = ["".join(hq_segs), br[0] + bcity + "分公司" + br[1]]
                heavy = True
            s = self.noise_join(segs)
        else:
            s = self.noise_join(self.compose(e, form, brand, trade, legal, br)) + suffix
        if "trad" in chosen:
            s = self.trad(s)
        s = self.width_noise(s)
        if e.kind == "branch":
            reg_exact = bool(branch_exact) and not changes
        else:
            reg_exact = not changes and e.style in ("A", "Am", "B", "C", "D1")
        return s, not heavy, reg_exact

    def name_hk(self, e):
        r = self.rng
        if e.flags.get("eng") and r.random() < 0.12:
            return self.english_name(e), False, False
        br = e.br
        x = r.random()
        core = e.brand + e.trade
        if x < 0.6:
            segs = [core, br[0] + "香港" + br[1], "有限公司"]
        elif x < 0.8:
            segs = ["香港", core, "有限公司"]
        elif x < 0.9:
            segs = [core, br[0] + "香港" + br[1], "有限公司"]
        else:
            segs = [core, br[0] + "香港" + br[1]]
        s = self.noise_join(segs)
        if r.random() < 0.7:
            s = zhconv.convert(s, "zh-hk")
        return self.width_noise(s), x < 0.9, False

    def name_shop(self, e):
        r = self.rng
        c = CITIES[e.city]
        core = e.shop
        with_dian = core if core[-1] in "店馆铺行坊档修市家排货粉皮锁" else core + "店"
        x = r.random()
        if x < 0.45:
            segs = [core]
        elif x < 0.6:
            segs = [with_dian]
        elif x < 0.7:
            segs = [c.dshort[e.dist], core]
        elif x < 0.78:
            segs = [c.name, core]
        elif x < 0.88:
            segs = [c.name + "市", c.dfull[e.dist], with_dian]
        elif x < 0.95:
            segs = [core, e.br[0] + "个体工商户" + e.br[1]]
        else:
            segs = [r.choice(["个体户", "个体"]) + "-", core]
        s = self.noise_join(segs, 0.05)
        if r.random() < 0.02:
            s = self.trad(s)
        return self.width_noise(s), True, False

    def name_store(self, e):
        r = self.rng
        L, R = e.br[0], e.br[1]
        base = e.brand + (e.category if e.fr_style == 1 else "")
        x = r.random()
        if x < 0.55:
            segs = [base, L + e.store + R]
        elif x < 0.65:
            segs = [e.brand + e.category, L + e.store + R]
        elif x < 0.75:
            segs = [e.brand, L + e.store + R]
        elif x < 0.85:
            segs = [base, e.store]
        elif x < 0.92:
            segs = [base + r.choice([" ", "-", "·", "—"]) + e.store]
        else:
            segs = [CITIES[e.city].name, base, L + e.store + R]
        s = self.noise_join(segs, 0.05)
        if r.random() < 0.02:
            s = self.trad(s)
        return self.width_noise(s), True, False

    def name_person(self, e):
        r = self.rng
        nm = e.person
        x = r.random()
        if x < 0.78:
            s = nm
        elif x < 0.84:
            s = nm + e.br[0] + "个人" + e.br[1] if e.br else nm + "(个人)"
        elif x < 0.88:
            s = "个人-" + nm
        elif x < 0.92:
            s = nm + ("先生" if e.contacts[0][2] == "m" else "女士")
        elif x < 0.96:
            s = nm[0] + " " + nm[1:] if len(nm) > 1 else nm
        else:
            s = nm + " "
        if r.random() < 0.015:
            s = self.trad(s)
        return s, True, False

    def contact_cell(self, e, ci):
        """-> (display, full-name-key or None)"""
        disp, key = self._contact_cell(e, ci)
        if key is None and disp and e.flags.get("clash"):
            return e.contacts[ci][0], e.contacts[ci][0]
        return disp, key

    def _contact_cell(self, e, ci):
        r = self.rng
        nm, s, g = e.contacts[ci]
        x = r.random()
        if e.kind == "person":
            if x < 0.8:
                return nm, nm
            if x < 0.93:
                return s + ("先生" if g == "m" else "女士"), None
            return nm + r.choice(["(本人)", "（本人）", " 本人"]), nm
        if e.agent is not None and ci == 0 and not e.agent.get("self_agency"):
            k = e.agent["kind"]
            if x < 0.45:
                return nm, nm
            if x < 0.75:
                return nm + r.choice(["(%s)", "（%s）", "-%s", " %s", "(%s)"]) % k, nm
            if x < 0.9:
                return s + r.choice(["会计", "老师", "姐" if g == "f" else "哥"]), None
            return nm + "(" + k + "公司)", nm
        if e.kind == "shop" and (x < 0.25 or 0.7 <= x < 0.82):
            return r.choice(["老板", "哥", "姐" if g == "f" else "师傅", "老板娘" if g == "f" else "总"]).join(
                [s, ""]) if r.random() < 0.7 else "老" + s, None
        if e.kind == "store" and x < 0.1:
            return s + "店长", None
        if x < 0.7:
            return nm, nm
        if x < 0.82:
            t = r.choice(_TITLES_ANY + (_TITLES_M if g == "m" else _TITLES_F))
            return s + t, None
        if x < 0.92:
            note = r.choice(_NOTES if e.kind != "shop" else ["老板", "店主", "负责人", "老板娘" if g == "f" else "店主"])
            return nm + r.choice([f"({note})", f"（{note}）", f"-{note}", f" {note}", f"/{note}"]), nm
        if x < 0.95:
            return (nm[0] + " " + nm[1:] if len(nm) > 1 else nm), nm
        if x < 0.97 and len(e.contacts) > 1:
            other = e.contacts[1 - ci if ci < 2 else 0][0]
            return nm + r.choice(["、", "/", "，", " "]) + other, nm
        if x < 0.985:
            return self.trad(nm) + ("" if r.random() < 0.5 else " "), nm
        if x < 0.992:
            return "", None
        return nm + " ", nm

    def fmt_mobile(self, m):
        r = self.rng
        x = r.random()
        if x < 0.6:
            s = m
        elif x < 0.68:
            s = f"{m[:3]} {m[3:7]} {m[7:]}"
        elif x < 0.76:
            s = f"{m[:3]}-{m[3:7]}-{m[7:]}"
        elif x < 0.81:
            s = f"+86 {m[:3]} {m[3:7]} {m[7:]}"
        elif x < 0.85:
            s = f"+86-{m}"
        elif x < 0.9:
            s = f"+86{m}"
        elif x < 0.92:
            s = f"86 {m}"
        elif x < 0.94:
            s = f"(+86){m}"
        elif x < 0.96:
            s = f"{m[:3]}-{m[3:]}"
        elif x < 0.975:
            s = f"{m[:7]} {m[7:]}"
        elif x < 0.985:
            s = m.translate(_FULLWIDTH_TABLE)
        else:
            s = "+86 " + m
        return s

    def fmt_land(self, land, allow_local=True):
        r = self.rng
        area, num, ext = land
        x = r.random()
        h = len(num) // 2
        if x < 0.5:
            s = f"{area}-{num}"
        elif x < 0.62:
            s = f"{area}{num}"
        elif x < 0.7:
            s = f"{area} {num}"
        elif x < 0.78:
            s = f"({area}){num}"
        elif x < 0.81:
            s = f"（{area}）{num}"
        elif x < 0.85:
            s = f"+86 {area[1:]} {num[:h]} {num[h:]}"
        elif x < 0.88:
            s = f"+86-{area[1:]}-{num}"
        elif x < 0.92:
            s = f"{area}-{num[:h]}-{num[h:]}"
        elif x < 0.95 and allow_local:
            s = num
        else:
            s = f"{area}-{num}"
        if ext:
            y = r.random()
            if y < 0.85:
                s += r.choice([f"-{ext}", f"转{ext}", f" 转{ext}", f" ext.{ext}", f"（分机{ext}）", f"-{ext}"])
        return s

    def fmt_hk(self, num):
        r = self.rng
        x = r.random()
        if x < 0.35:
            return f"+852 {num[:4]} {num[4:]}"
        if x < 0.55:
            return f"852-{num}"
        if x < 0.7:
            return f"(852){num}"
        if x < 0.85:
            return f"+852{num}"
        return f"00852-{num}"

    def phone_cell(self, nums):
        """nums: list of ('m', m) / ('l', (area, num, ext)) / ('h', num)."""
        r = self.rng
        parts, keys = [], []
        for kind, v in nums:
            if kind == "m":
                parts.append(self.fmt_mobile(v))
                keys.append(v)
            elif kind == "l":
                parts.append(self.fmt_land(v, allow_local=len(nums) == 1))
                keys.append(v[0] + v[1])
            else:
                parts.append(self.fmt_hk(v))
                keys.append("852" + v)
        if not parts:
            return "", set()
        if len(parts) == 1:
            s = parts[0]
            if r.random() < 0.01:
                s = r.choice(["手机:", "电话：", "Tel:", "手机 "]) + s
        else:
            s = r.choice(["/", "/", " / ", "，", ",", "；", ";", " ", "、"]).join(parts)
        if r.random() < 0.03:
            s = s + " "
        return s, set(keys)

    def email_cell(self, addr):
        r = self.rng
        local, dom = addr.split("@")
        x = r.random()
        if x < 0.78:
            s = addr
        elif x < 0.86:
            s = local[:1].upper() + local[1:] + "@" + dom
        elif x < 0.9:
            s = addr.upper()
        elif x < 0.93:
            s = local + "@" + dom.upper()
        elif x < 0.95:
            s = "".join(ch.upper() if r.random() < 0.4 else ch for ch in local) + "@" + dom
        elif x < 0.995:
            s = addr
        else:
            s = local + "＠" + dom
        y = r.random()
        if y < 0.04:
            s = " " + s
        elif y < 0.09:
            s = s + " "
        elif y < 0.1:
            s = s + r.choice([";", "；", "  "])
        return s

    def new_alt_phone(self, e):
        if not e.phones_alt:
            if e.kind == "hk":
                e.phones_alt.append(("h", self.hk_number()))
            elif e.kind == "store" and self.rng.random() < 0.5:
                e.phones_alt.append(("l", self.landline(e.city)))
            else:
                e.phones_alt.append(("m", self.mobile()))
        return e.phones_alt[0]

    def new_alt_email(self, e, ci):
        if not e.emails_alt:
            c = e.contacts[ci]
            e.emails_alt.append(self.company_email(e, c) if e.kind in ("co", "branch", "hk")
                                else self.personal_email(c))
        return e.emails_alt[0]

    def base_phones(self, e, for_contact):
        """Numbers of the entity as seen for the primary (0) or own (1) contact."""
        r = self.rng
        if e.agent is not None and for_contact == 0 and not e.agent.get("self_agency"):
            a = e.agent
            nums = [("m", a["mobile"])]
            if a["land"] and r.random() < 0.3:
                nums = [("l", a["land"])] if r.random() < 0.5 else nums + [("l", a["land"])]
            return nums
        nums = []
        if e.hk_phone:
            nums.append(("h", e.hk_phone))
            if e.mobile and r.random() < 0.4:
                nums.append(("m", e.mobile))
            return nums
        mob = e.mobile
        land = e.land
        sl = e.shared_land
        if sl is not None:
            if mob and r.random() < 0.45:
                return [("m", mob)] if r.random() < 0.5 else [("l", sl), ("m", mob)]
            return [("l", sl)]
        if mob and land:
            x = r.random()
            return [("m", mob)] if x < 0.5 else [("l", land)] if x < 0.72 else (
                [("m", mob), ("l", land)] if r.random() < 0.7 else [("l", land), ("m", mob)])
        if mob:
            return [("m", mob)]
        if land:
            return [("l", land)]
        return []

    def rows_for(self, e, times):
        r = self.rng
        n = e.n
        typo_at = -1
        if e.kind == "co" and e.flags.get("typo") and n > 1 and r.random() < 0.17:
            typo_at = r.randrange(n)
        elif e.kind == "co" and e.flags.get("typo") and n == 1 and r.random() < 0.04:
            typo_at = 0
        scenario = "normal"
        if n > 1 and e.kind == "co":
            x = r.random()
            if x < 0.06 and e.style in ("A", "Am", "B", "C", "D1") and e.agent is None:
                scenario = "registration"      # later row: new contact, phone and e-mail, same full name
            elif x < 0.2:
                scenario = "same_contact"      # later row: same name + contact, new phone and e-mail
        elif n > 1 and e.kind == "branch" and r.random() < 0.12:
            scenario = "same_contact"
        recs = []
        if e.kind in ("co", "branch") and e.agent is None and len(e.contacts) == 1 and n > 1:
            if r.random() < 0.25 or scenario == "registration":
                e.contacts.append(self.contact(e.keys))
        for i in range(n):
            # ---- name
            if e.kind in COMPANY_KINDS:
                name, mild, reg = self.name_company(e, typo_at == i)
            elif e.kind == "hk":
                name, mild, reg = self.name_hk(e)
            elif e.kind == "shop":
                name, mild, reg = self.name_shop(e)
            elif e.kind == "store":
                name, mild, reg = self.name_store(e)
            else:
                name, mild, reg = self.name_person(e)
            # ---- which contact / numbers
            ci = 0
            if e.agent is not None and not e.agent.get("self_agency"):
                ci = 1 if r.random() < 0.22 else 0
            elif len(e.contacts) > 1 and i > 0 and r.random() < 0.5:
                ci = 1
            if ci == 1 and e.agent is not None and not e.agent.get("self_agency"):
                nums = [("m", e.mobile)] if e.mobile else ([("m", e.agent["mobile"])])
                email = e.email if e.email else (e.agent["email"] if r.random() < 0.5 else None)
            else:
                nums = self.base_phones(e, ci)
                if e.agent is not None and ci == 0:
                    email = e.agent["email"]
                else:
                    email = e.email
            if i > 0:
                if r.random() < 0.2 and e.kind != "person" or r.random() < 0.08:
                    alt = self.new_alt_phone(e)
                    nums = [alt] if r.random() < 0.75 else nums[:1] + [alt]
                if email and r.random() < 0.12 or (not email and r.random() < 0.1 and e.kind != "person"):
                    email = self.new_alt_email(e, ci)
            if scenario == "registration" and i < n - 1:
                name, mild, reg = self.name_company_exact(e)
            if scenario == "registration" and i == n - 1:
                ci = len(e.contacts) - 1
                nums = [self.new_alt_phone(e)]
                email = self.new_alt_email(e, ci) if r.random() < 0.5 else None
                name, mild, reg = self.name_company_exact(e)
            elif scenario == "same_contact" and i == n - 1:
                ci = 0
                nums = [self.new_alt_phone(e)]
                email = self.new_alt_email(e, 0) if r.random() < 0.5 else None
            if r.random() < 0.03:
                nums = []
            if email and r.random() < 0.2:
                email = None
            cdisp, ckey = self.contact_cell(e, ci)
            if not mild and ckey is None and cdisp:
                # an abbreviated name is never paired with a bare 王总-style contact
                cdisp = ckey = e.contacts[ci][0]
            if scenario == "same_contact" and i == n - 1 and ckey is None:
                ckey = e.contacts[0][0]
                cdisp = ckey
            pcell, pkeys = self.phone_cell(nums)
            recs.append({"name": name, "mild": mild, "reg": reg, "contact": cdisp, "ckey": ckey,
                         "phone": pcell, "pkeys": pkeys, "email": self.email_cell(email) if email else "",
                         "ekey": email, "t": times[i], "nums": nums})
        self.ensure_links(e, recs)
        return recs

    def name_company_exact(self, e):
        s = self.noise_join(self.compose(e, e.style, e.brand, e.trade, e.legal, e.br), 0.05)
        return s, True, True

    def linked(self, e, a, b):
        both_mild = a["mild"] and b["mild"]
        common = a["pkeys"] & b["pkeys"]
        if a["ekey"] and a["ekey"] == b["ekey"]:
            common = common | {a["ekey"]}
        for k in common:
            # a switchboard / agent number links two rows only when both names are near-complete
            if k not in self.shared or both_mild:
                return True
        if e.kind == "person":
            return False
        if a["ckey"] and a["ckey"] == b["ckey"] and both_mild:
            return True
        if a["reg"] and b["reg"] and e.kind in COMPANY_KINDS:
            return True
        return False

    def _num_key(self, num):
        kind, v = num
        return v if kind == "m" else (v[0] + v[1] if kind == "l" else "852" + v)

    def _set_nums(self, rec, nums):
        rec["nums"] = nums
        rec["phone"], rec["pkeys"] = self.phone_cell(nums)

    def ensure_links(self, e, recs):
        """Make every pair of rows of the entity recognisable (see ``linked``)."""
        r = self.rng
        for _ in range(6):
            bad = None
            for i in range(len(recs)):
                for j in range(i + 1, len(recs)):
                    if not self.linked(e, recs[i], recs[j]):
                        bad = (i, j)
                        break
                if bad:
                    break
            if bad is None:
                return
            a, b = recs[bad[0]], recs[bad[1]]
            own = [n for n in a["nums"] if self._num_key(n) not in self.shared]
            if own:
                # the later row also lists one of the earlier row's own numbers
                keep = [n for n in b["nums"] if n not in own][:1]
                self._set_nums(b, keep + own[:1] if keep and r.random() < 0.4 else own[:1] + keep)
            elif a["ekey"] and a["ekey"] not in self.shared:
                b["ekey"] = a["ekey"]
                b["email"] = self.email_cell(a["ekey"])
            else:
                alt = self.new_alt_phone(e)
                for rec in (a, b):
                    if alt not in rec["nums"]:
                        self._set_nums(rec, rec["nums"][:1] + [alt])
        # last resort: every row lists one own number of the entity
        alt = self.new_alt_phone(e)
        for rec in recs:
            if alt not in rec["nums"]:
                self._set_nums(rec, rec["nums"][:1] + [alt])
        for i in range(len(recs)):
            for j in range(i + 1, len(recs)):
                assert self.linked(e, recs[i], recs[j]), (e.eid, recs)

    # -- times ---------------------------------------------------------------
    def business_second(self, day):
        r = self.rng
        sec = r.randrange(8 * 3600 + 30 * 60, 18 * 3600 + 30 * 60)
        if r.random() < 0.04:
            sec = r.randrange(18 * 3600 + 30 * 60, 19 * 3600 + 30 * 60)
        return day * 86400 + sec

    def business_day(self, lo, hi):
        r = self.rng
        for _ in range(20):
            d = r.randint(lo, hi)
            wd = (d + DAY0.weekday()) % 7
            if wd < 5 or (wd == 5 and r.random() < 0.3) or (wd == 6 and r.random() < 0.08):
                return d
        return d

    def times_for(self, n):
        r = self.rng
        d0 = self.business_day(0, NDAYS - 1)
        days = [d0]
        for _ in range(n - 1):
            prev = days[-1]
            x = r.random()
            gap = 0 if x < 0.04 else int(r.expovariate(1 / 280)) + 1
            d = prev + gap
            if d > NDAYS - 1:
                d = r.randint(prev, NDAYS - 1)
            days.append(self.business_day(d, min(d + 3, NDAYS - 1)) if d > prev else d)
        secs = sorted(self.business_second(d) for d in days)
        return secs

    def build_rows(self):
        cols = {k: [] for k in ("name", "contact", "phone", "email", "t", "eid")}
        for e in self.entities:
            recs = self.rows_for(e, self.times_for(e.n))
            for rec in recs:
                cols["name"].append(rec["name"])
                cols["contact"].append(rec["contact"])
                cols["phone"].append(rec["phone"])
                cols["email"].append(rec["email"])
                cols["t"].append(rec["t"])
                cols["eid"].append(e.eid)
        return cols


def make_fifth_set(n_records: int = 170_000, seed: int = 41) -> pd.DataFrame:
    """Labelled customer table with ``n_records`` rows; deterministic for ``seed``."""
    g = Generator(seed)
    g.build_entities(n_records)
    cols = g.build_rows()
    nprng = np.random.default_rng(seed)
    n_ent = len(g.entities)
    perm = nprng.permutation(n_ent)
    eids = np.asarray(cols["eid"], dtype=np.int64)
    secs = np.asarray(cols["t"], dtype=np.int64)
    created = DAY0 + pd.to_timedelta(secs, unit="s")
    df = pd.DataFrame({
        "客户名称": cols["name"],
        "联系人姓名": cols["contact"],
        "联系电话": cols["phone"],
        "联系邮箱": cols["email"],
        "创建时间": created,
        "entity": perm[eids] + 1,
    })
    # 客户编号: CRM + date + serial within the day, in creation order
    order = np.lexsort((np.arange(len(df)), secs))
    day = secs[order] // 86400
    first = np.r_[True, day[1:] != day[:-1]]
    idx = np.arange(len(day))
    starts = np.maximum.accumulate(np.where(first, idx, 0))
    serial = np.empty(len(df), dtype=np.int64)
    serial[order] = idx - starts + 1
    dates = df["创建时间"].dt.strftime("%Y%m%d")
    df.insert(0, "客户编号", "CRM" + dates + pd.Series(serial).map("{:05d}".format))
    df = df.iloc[nprng.permutation(len(df))].reset_index(drop=True)
    return df[["客户编号", "客户名称", "联系人姓名", "联系电话", "联系邮箱", "创建时间", "entity"]]


def main() -> None:
    ap = argparse.ArgumentParser(description="Generate the fifth held-out dedupe benchmark.")
    ap.add_argument("--records", type=int, default=170_000)
    ap.add_argument("--seed", type=int, default=41)
    args = ap.parse_args()
    t = time.perf_counter()
    df = make_fifth_set(args.records, args.seed)
    out = Path(__file__).parent / ".cache" / f"dedupe-fifth-{args.seed}-{args.records}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(out, index=False, encoding="utf-8-sig")
    sizes = df["entity"].value_counts()
    print(f"records: {len(df)}")
    print(f"entities: {len(sizes)}")
    print(f"entities with >1 record: {int((sizes > 1).sum())}")
    print(f"true pairs: {int((sizes * (sizes - 1) // 2).sum())}")
    print(f"written: {out} ({time.perf_counter() - t:.1f} s)")


if __name__ == "__main__":
    main()
