"""A labelled set for news/securities/: a body (HTML as sources send it) and exactly the
``(market, code)`` pairs it names — link forms of the common quote sites, codes in text next to a
name, and numbers that are not codes (amounts, phone numbers, dates, index levels, serial numbers)."""

EM = "http://quote.eastmoney.com"
CASES = [
    # Eastmoney's unify links, with data-code as it sends them
    (f'<a href="{EM}/unify/r/0.000591" class="keytip" data-code="0,000591">太阳能</a>', {("SZ", "000591")}),
    (f'<a href="{EM}/unify/r/1.601200" data-code="1,601200">上海环境</a>', {("SH", "601200")}),
    (f'<a href="{EM}/unify/r/90.BK0473" data-code="90,BK0473">证券</a>', {("BK", "BK0473")}),
    (f'<a href="{EM}/unify/r/116.00700">腾讯控股</a>', {("HK", "00700")}),
    (f'<a href="{EM}/unify/r/106.NIO">蔚来</a>和<a href="{EM}/unify/r/105.AAPL">苹果</a>', {("US", "NIO"), ("US", "AAPL")}),
    (f'<a href="{EM}/unify/r/0.430047">诺思兰德</a>', {("BJ", "430047")}),  # Beijing's codes under market 0
    (f'<a href="{EM}/unify/r/1.688981">中芯国际</a>', {("SH", "688981")}),
    # Eastmoney's older pages
    (f'<a href="{EM}/sh600036.html">招商银行</a>', {("SH", "600036")}),
    (f'<a href="{EM}/sz300750.html">宁德时代</a>', {("SZ", "300750")}),
    (f'<a href="{EM}/hk/09988.html">阿里巴巴-SW</a>', {("HK", "09988")}),
    (f'<a href="{EM}/us/TSLA.html">特斯拉</a>', {("US", "TSLA")}),
    # Sina and 10jqka
    ('<a href="https://finance.sina.com.cn/realstock/company/sz000858/nc.shtml">五粮液</a>', {("SZ", "000858")}),
    ('<a href="http://finance.sina.com.cn/realstock/company/sh601318/">中国平安</a>', {("SH", "601318")}),
    ('<a href="https://stock.finance.sina.com.cn/hkstock/quotes/01810.html">小米集团</a>', {("HK", "01810")}),
    ('<a href="https://stock.finance.sina.com.cn/usstock/quotes/baba.html">阿里巴巴</a>', {("US", "BABA")}),
    ('<a href="http://stockpage.10jqka.com.cn/600519/">贵州茅台</a>', {("SH", "600519")}),
    ('<a href="http://stockpage.10jqka.com.cn/HK0700/">腾讯控股</a>', {("HK", "00700")}),
    # in text
    ("<p>比亚迪（002594）今日发布公告。</p>", {("SZ", "002594")}),
    ("<p>中国平安(601318.SH)一季度净利润增长。</p>", {("SH", "601318")}),
    ("<p>贵州茅台（600519.SS）收涨。</p>", {("SH", "600519")}),
    ("<p>腾讯控股(00700.HK)回购股份。</p>", {("HK", "00700")}),
    ("<p>腾讯控股（0700.HK）回购股份。</p>", {("HK", "00700")}),
    ("<p>信义能源(03868)发布盈利预告。</p>", {("HK", "03868")}),
    ("<p>蔚来(NIO.US)盘前涨3%，理想汽车（LI.O）跟涨。</p>", {("US", "NIO"), ("US", "LI")}),
    ("<p>长江电力公告（股票代码：600900）</p>", {("SH", "600900")}),
    ("<p>证券代码：000001 证券简称：平安银行</p>", {("SZ", "000001")}),
    ("<p>智能电动车ETF（516380）成交活跃。</p>", {("SH", "516380")}),
    ("<p>北交所贝特瑞(835185.BJ)涨停。</p>", {("BJ", "835185")}),
    ("<p>宁德时代（300750）与比亚迪（002594）双双走强。</p>", {("SZ", "300750"), ("SZ", "002594")}),
    ('<a href="http://quote.eastmoney.com/kcb/688981.html">中芯国际</a>', {("SH", "688981")}),
    ('<a href="https://xueqiu.com/S/SH600519">贵州茅台</a> <a href="https://xueqiu.com/S/00700">腾讯</a>',
     {("SH", "600519"), ("HK", "00700")}),
    ("<p>贵州茅台（SH600519）、五粮液（sz000858）</p>", {("SH", "600519"), ("SZ", "000858")}),
    ("<p>腾讯控股（HK.00700）与小米集团（HK01810）</p>", {("HK", "00700"), ("HK", "01810")}),
    ("<p>腾讯控股（００７００.HK）、比亚迪（００２５９４）、万科Ａ（000002）</p>",  # full-width, as typed
     {("HK", "00700"), ("SZ", "002594"), ("SZ", "000002")}),
    ("<p>公告（证券代码：600519.SH）；H股代码：02318</p>", {("SH", "600519"), ("HK", "02318")}),
    ("<p>*ST康美（600518）撤销风险警示，小米集团-W（01810）回购。</p>", {("SH", "600518"), ("HK", "01810")}),
    # a company's listings in one bracket
    ("<p>比亚迪（002594.SZ，01211.HK）销量创新高。</p>", {("SZ", "002594"), ("HK", "01211")}),
    ("<p>中国平安(601318.SH/02318.HK)公布业绩。</p>", {("SH", "601318"), ("HK", "02318")}),
    ("<p>招商银行（600036、03968）</p>", {("SH", "600036"), ("HK", "03968")}),
    ("<p>阿里巴巴(BABA.US; 09988.HK)</p>", {("US", "BABA"), ("HK", "09988")}),
    # numbers that are not codes
    ("<p>营收（2021、2022）均增长，会议室（1201/1202）。</p>", set()),
    ("<p>某公司（2021，2022）与电话（021，62345678）</p>", set()),
    # several codes of one market in one bracket: a list of companies (whose name?) or of numbers
    ("<p>茅台、五粮液（600519、000858）与白酒龙头（600519、000858）</p>", set()),
    ("<p>苹果、微软(AAPL.O,MSFT.O)，数量（300000/600000），比亚迪（002594.SZ，2022）</p>", set()),
    ("<p>贵州茅台成交额600519万元。</p>", set()),
    ("<p>联系电话：(021)60519000，传真(010)12345678。</p>", set()),
    ("<p>公告日期（20220217），会议于2022年2月17日召开。</p>", set()),
    ("<p>上证指数报3245.67点，深证成指（13589.25）跌0.5%。</p>", set()),
    ("<p>合同编号300750-1，附件（300750-1）。</p>", set()),
    ("<p>年报(2022)显示营收增长。</p>", set()),
    ("<p>公司注册资本（100000）万元。</p>", set()),
    (f'<a href="{EM}/unify/r/1.000001">上证指数</a> <a href="{EM}/unify/r/0.399001">深证成指</a>', set()),
    (f'<a href="{EM}/unify/r/100.HSI">恒生指数</a> <a href="{EM}/unify/r/113.aum">沪金主力</a>', set()),
    ('<a href="http://finance.eastmoney.com/news/1350,202202172280203741.html">原文</a>', set()),
    ("<p>同比增长（12.5%），环比（300）。</p>", set()),
    ("<p>上证指数（000001）收涨，跟踪中证500指数（000905）的基金（161017）。</p>", set()),
    ("<p>邮编（200120），客服热线（95588），恒生指数收报（16725），营收（12000）万元。</p>", set()),
    ("<p>老三板（400002）、北证50（899050）</p>", set()),
    (f'<a href="{EM}/unify/r/0.899050">北证50</a>', set()),
]
